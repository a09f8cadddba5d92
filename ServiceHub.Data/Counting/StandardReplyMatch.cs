namespace ServiceHub.Data.Counting;

/// <summary>An approved standard reply matching a complaint's text, best first.</summary>
public sealed record StandardReplyMatch(int Id, string Matter, string Reply, string DepartmentName, double Score, int Uses);
