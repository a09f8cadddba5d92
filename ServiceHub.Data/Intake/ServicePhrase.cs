namespace ServiceHub.Data.Intake;

/// <summary>A standard or forbidden service phrase (服务用语 / 服务忌语).</summary>
public sealed record ServicePhrase(int Id, string Kind, string Situation, string Text, bool IsActive, int SortOrder);
