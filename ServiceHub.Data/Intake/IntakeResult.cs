namespace ServiceHub.Data.Intake;

/// <summary>What a registration produced: the contact and its register number, the reception record, the complaint and its issue record sheet, the existing complaint it was attached to.</summary>
public sealed record IntakeResult(long ContactId, string RegisterNo, string? ReceptionNo, long? ComplaintId, string? SheetNo, long? AttachedToComplaintId = null);
