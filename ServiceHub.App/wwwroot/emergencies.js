// Emergency alerts: one SignalR connection per page to /hubs/alerts (the auth cookie signs it in). Every alert goes to
// the layout's <EmergencyAlerts/> component, which shows each alert id once; a new one beeps. A dropped connection
// reconnects by itself and the hub then sends every alert not yet acknowledged, so nothing is lost.
window.serviceHubAlerts = {
  conn: null,
  dotnet: null,
  start: async function (dotnet) {
    this.dotnet = dotnet;
    if (this.conn) return;
    const conn = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/alerts")
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10000, 500 * (ctx.previousRetryCount + 1)) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    conn.on("EmergencyAlert", async alert => {
      try {
        if (this.dotnet && await this.dotnet.invokeMethodAsync("OnAlert", alert)) window.serviceHub.beep();
      } catch (e) { console.warn("emergency alert", e); }
    });
    conn.on("AlertsAcknowledged", ids => { if (this.dotnet) this.dotnet.invokeMethodAsync("OnAcknowledged", ids).catch(() => {}); });
    // Screen pop: a call rings at this agent's extension; the layout's <ScreenPop/> shows the caller's dossier.
    conn.on("ScreenPop", call => { if (this.calls) this.calls.invokeMethodAsync("OnScreenPop", call).catch(e => console.warn("screen pop", e)); });
    conn.onreconnected(() => { document.body.dataset.alerts = "connected"; });
    conn.onreconnecting(() => { document.body.dataset.alerts = "reconnecting"; });
    // Automatic reconnection gave up (server down for long): keep trying.
    conn.onclose(() => { document.body.dataset.alerts = "closed"; if (this.conn === conn) setTimeout(() => this.connect(), 3000); });
    this.conn = conn;
    await this.connect();
  },
  connect: async function () {
    const conn = this.conn;
    if (!conn || conn.state !== signalR.HubConnectionState.Disconnected) return;
    try {
      await conn.start();
      document.body.dataset.alerts = "connected";
    } catch (e) {
      setTimeout(() => this.connect(), 3000);
    }
  },
  calls: null,
  listenForCalls: function (dotnet) { this.calls = dotnet; },
  stop: async function () {
    const conn = this.conn;
    this.conn = null; this.dotnet = null; this.calls = null;
    if (conn) await conn.stop();
  }
};
