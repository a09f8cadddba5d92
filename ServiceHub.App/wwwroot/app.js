// ServiceHub browser helpers (kept tiny; pages call them through IJSRuntime).
window.serviceHub = {
  beep: function () {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator(); const g = ctx.createGain();
      o.type = "sine"; o.frequency.value = 880; o.connect(g); g.connect(ctx.destination);
      g.gain.setValueAtTime(0.2, ctx.currentTime); o.start(); o.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio device */ }
  },
  print: function () { window.print(); }
};
