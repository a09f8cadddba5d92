namespace ServiceHub.Tests.Security;

/// <summary>
/// Issue #12 point 15, kept complete: every text a Data-layer call takes (<see cref="FormTextSlots"/>, found by reflection) is either
/// sent hostile input by a case of <see cref="HostileFormInputTests"/>, or is not free text (a code from a list, a period, a search, a
/// password, a formatted value, the app's own words), said here with the reason. A new form field in none of these fails.
/// </summary>
public sealed class FormTextCoverageTests
{
    private static IEnumerable<(string Slot, string Reason)> Because(string reason, params string[] slots) => slots.Select(s => (s, reason));

    /// <summary>Texts that are not free text, each with why hostile free text is not its test.</summary>
    private static readonly IReadOnlyDictionary<string, string> NotFreeText = new[]
    {
        Because("a read: the text only filters or searches (trimmed, cut to Search.MaxTextLength, LIKE-escaped: SearchTests, TextLimitTests)",
            "AuditLog.SearchAsync(action)", "AuditLog.SearchAsync(text)", "ComplaintRepository.QueueAsync(filter.State)", "ComplaintRepository.SearchAsync(state)",
            "ComplaintRepository.SearchAsync(text)", "CountingRepository.IdBySheetNoAsync(sheetNo)", "CountingRepository.SuggestDuplicatesAsync(text)",
            "CustomerPhones.FindAsync(phone)", "CustomerRepository.SearchAsync(text)", "EmergencyRepository.ListAsync(filter)", "InformationRegister.RecordsAsync(kind)",
            "IntakeRepository.SearchAsync(kind)", "IntakeRepository.SearchAsync(text)", "KpiService.ComplaintsAsync(d.Key)", "KpiService.ComplaintsAsync(d.Month)",
            "KpiService.ConsultationsAsync(d.Key)", "KpiService.ConsultationsAsync(d.Month)", "KpiService.EmergenciesAsync(d.Key)", "KpiService.EmergenciesAsync(d.Month)",
            "OutboxStore.ListAsync(channel)", "OutboxStore.ListAsync(state)", "ReportFormats.HistoryAsync(kind)", "ReturnVisitAnalysisRepository.AnalysesAsync(period)",
            "ReturnVisitAnalysisRepository.FiguresAsync(period)", "ReturnVisitAnalysisRepository.PlanAsync(period)", "SpotCheckRepository.ItemsAsync(period)",
            "SpotCheckRepository.PenaltiesAsync(period)", "UserRepository.SearchAsync(role)", "UserRepository.SearchAsync(text)"),
        Because("a code chosen from a fixed list: anything else is refused (Validation.Required or the rule's own message)",
            "ApiKeyRepository.IssueAsync(form.Roles)", "ApiKeyRepository.IssueAsync(form.Scopes)", "CalendarRepository.SaveAsync(kind)",
            "ChannelSettings.SaveEmailAsync(s.Security)", "ChannelSettings.SaveRobotAsync(f.Kind)", "ChannelSettings.SaveSmsAsync(s.Provider)",
            "CustomerRepository.SaveAsync(edit.ContactChannel)", "EmergencyRepository.ReportAsync(report.Kind)", "InformationAssessment.RecordDeductionAsync(form.RuleCode)",
            "InformationRegister.FileAsync(kind)", "IntakeRepository.RegisterAsync(form.Channel)", "IntakeRepository.RegisterAsync(form.Kind)",
            "IntakeRepository.SavePhraseAsync(kind)", "IntakeRepository.SavePhraseAsync(situation)", "NotificationPreferences.SaveDefaultsAsync(defaults[].Channel)",
            "NotificationPreferences.SaveDefaultsAsync(defaults[].EventKind)", "ReleaseRepository.DraftAsync(scope)", "ReportFormats.IssueAsync(form.Kind)",
            "ReturnVisitRepository.RecordAttemptAsync(form.Outcome)", "ReturnVisitRepository.RecordAttemptAsync(form.Result)", "ReturnVisitRepository.SaveSettingsAsync(f.AssignRule)",
            "SpotCheckRepository.ProposeAsync(breach)", "StandardReplyRepository.DecideAsync(status)", "StandardReplyRepository.RecordOpinionAsync(opinion)",
            "UserRepository.SaveAsync(edit.Roles)", "WebhookRepository.CreateAsync(form.EventKinds)", "WebhookRepository.UpdateAsync(form.EventKinds)",
            "BackupService.RunAsync(trigger)"),
        Because("a month (yyyy-MM), parsed: anything else is refused",
            "ReturnVisitAnalysisRepository.SavePlanAsync(period)", "ReturnVisitAnalysisRepository.SubmitAnalysisAsync(period)",
            "ReturnVisitRepository.SampleConsultationsAsync(period)", "SpotCheckRepository.DrawAsync(period)"),
        Because("a pasted calendar: lines of date, kind and name, parsed line by line (a wrong line is refused with its line's message, more than "
                + "CalendarImport.MaxLength characters or a NUL refuses the text; a day's name is stored as typed: CalendarYearTests)",
            "CalendarRepository.ImportYearAsync(text)"),
        Because("a password or secret: checked by its policy, stored hashed or encrypted, never shown",
            "ChannelSettings.SaveEmailAsync(s.Password)", "ChannelSettings.SaveRobotAsync(f.Secret)", "ChannelSettings.SaveSmsAsync(s.AccessKeySecret)",
            "Installation.CreateAdministratorAsync(password)", "UserRepository.ChangePasswordAsync(currentPassword)", "UserRepository.ChangePasswordAsync(newPassword)",
            "UserRepository.SaveAsync(edit.NewPassword)"),
        Because("a formatted value (phone number, extension, e-mail address, URL, a rule code ^[A-Z][A-Z0-9_]{1,39}$): refused unless it has the format",
            "InformationAssessment.SaveRuleAsync(edit.Code)",
            "CallRepository.RecordAsync(report.CallerNumber)", "CallRepository.RecordAsync(report.Extension)", "ChannelSettings.SaveEmailAsync(s.From)",
            "ChannelSettings.SaveRobotAsync(f.Webhook)", "ChannelSettings.SaveSmsAsync(s.Endpoint)", "CountingRepository.UpdateOnlineAsync(postUrl)",
            "CustomerRepository.SaveAsync(edit.Phone)", "CustomerRepository.SaveAsync(edit.Phone2)", "NotificationPreferences.SaveContactAsync(form.Email)",
            "NotificationPreferences.SaveContactAsync(form.Mobile)", "NotificationPreferences.SaveMineAsync(form.Email)", "NotificationPreferences.SaveMineAsync(form.Mobile)",
            "UserRepository.SaveAsync(edit.Extension)", "UserRepository.SaveAsync(edit.Phone)", "WebhookRepository.CreateAsync(form.Url)", "WebhookRepository.UpdateAsync(form.Url)"),
        Because("the app's own words (the audit trail's action, entity and details, and the purpose of a private-data view, are written by the app, never typed)",
            "CustomerRepository.RevealAsync(purpose)", "AuditLog.WriteAsync(action)", "AuditLog.WriteAsync(details)", "AuditLog.WriteAsync(entity)", "AuditLog.WriteAsync(entityId)"),
    }.SelectMany(g => g).ToDictionary(x => x.Slot, x => x.Reason);

    [Fact]
    public void Every_text_a_data_layer_call_takes_is_sent_hostile_input_or_is_not_free_text()
    {
        var covered = HostileFormInputTests.Cases.Values.ToHashSet();
        var slots = FormTextSlots.All();
        var missing = slots.Where(s => !covered.Contains(s) && !NotFreeText.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, "Free text without a hostile-input case (add one to HostileFormInputTests, or say why it is not free text):\n" + string.Join("\n", missing));

        // The lists name nothing that is gone, and nothing twice.
        var named = covered.Concat(NotFreeText.Keys).ToList();
        Assert.Empty(named.Except(slots));
        Assert.Equal(named.Count, named.Distinct().Count());
    }
}
