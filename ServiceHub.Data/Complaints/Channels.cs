namespace ServiceHub.Data.Complaints;

public static class Channels
{
    public const string Phone = "phone";
    public const string Visit = "visit";
    public const string Letter = "letter";
    public const string Email = "email";
    public const string Forum = "forum";
    public const string Media = "media";
    public const string Forwarded = "forwarded";

    public static readonly IReadOnlyList<string> All = [Phone, Visit, Letter, Email, Forum, Media, Forwarded];
}
