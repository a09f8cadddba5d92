namespace ServiceHub.Data.Counting;

/// <summary>A department's draft of a standard reply for a matter of a project.</summary>
public sealed record StandardReplyDraft(int ProjectId, string Matter, string Reply);
