namespace ServiceHub.Data.Counting;

/// <summary>The five parts of a hot-complaint report: content, cause analysis, current status, difficulties, help needed.</summary>
public sealed record HotReport(string Content, string CauseAnalysis, string CurrentStatus, string Difficulties, string HelpNeeded);
