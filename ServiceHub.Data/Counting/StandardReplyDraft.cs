namespace ServiceHub.Data.Counting;

/// <summary>A department's draft of a standard reply for a matter of a project.</summary>
public sealed record StandardReplyDraft(int ProjectId, string Matter, string Reply)
{
    /// <summary>Length limits of a standard reply and of the supervisor's and the customer's notes on it (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int MatterMax = 500, ReplyMax = 4000, NoteMax = 500;
}
