using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

public sealed class IntakeTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    [Fact]
    public async Task Numbers_stay_distinct_and_consecutive_under_200_concurrent_saves()
    {
        var forms = Enumerable.Range(0, 200).Select(i => new IntakeForm
        {
            Channel = Channels.Visit, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = $"查询物业费 {i}", Answer = "已告知",
        }).ToList();
        var results = await Task.WhenAll(forms.Select(f => Task.Run(() => _w.Intake.RegisterAsync(_w.Agent, f))));
        var numbers = results.Select(r => int.Parse(r.RegisterNo[^6..])).Order().ToList();
        Assert.Equal(200, numbers.Distinct().Count());
        Assert.Equal(Enumerable.Range(numbers[0], 200), numbers);
        Assert.All(results, r => Assert.StartsWith("LF-2026-", r.RegisterNo));
    }

    [Fact]
    public async Task A_failed_save_gives_its_number_back()
    {
        var first = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Email, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "问", Answer = "答" });
        await Assert.ThrowsAnyAsync<Exception>(() => _w.Intake.RegisterAsync(_w.Agent,
            new IntakeForm { Channel = Channels.Email, Kind = ContactKinds.Inquiry, CustomerId = 999999, Content = "问", Answer = "答" }));
        var next = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Email, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "问", Answer = "答" });
        Assert.Equal(int.Parse(first.RegisterNo[^6..]) + 1, int.Parse(next.RegisterNo[^6..]));
    }

    [Fact]
    public async Task Each_form_type_has_its_own_yearly_sequence()
    {
        var call = await _w.Intake.RegisterAsync(_w.Agent, _w.ComplaintForm());
        Assert.Matches(@"^LD-2026-\d{6}$", call.RegisterNo);
        Assert.Matches(@"^FY-2026-\d{6}$", call.SheetNo!);
        var visit = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm
        {
            Channel = Channels.Visit, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, Content = "咨询交房时间", Answer = "预计明年三月", Satisfied = true,
            WithReception = true, ReceptionConfirmedBy = "陈女士",
        });
        Assert.Matches(@"^LF-2026-\d{6}$", visit.RegisterNo);
        Assert.Matches(@"^JD-2026-\d{6}$", visit.ReceptionNo!);
        Assert.Null(visit.ComplaintId);
        var contact = (await _w.Intake.GetAsync(_w.Agent, visit.ContactId))!;
        Assert.Equal("陈女士", contact.ReceptionConfirmedBy);
        Assert.True(contact.Satisfied);
    }

    [Fact]
    public async Task A_consultation_needs_the_answer_and_the_customers_satisfaction()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.RegisterAsync(_w.Agent,
            new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, Content = "问车位" }));
        Assert.Equal("Intake.AnswerRequired", ex.Errors["Answer"].Code);
        Assert.Equal("Intake.SatisfiedRequired", ex.Errors["Satisfied"].Code);
    }

    [Fact]
    public async Task A_reply_with_a_forbidden_phrase_is_flagged_naming_the_phrase_and_not_saved()
    {
        var before = await CountContactsAsync();
        var form = new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "问进度", Answer = "不是告诉你了，怎么还不明白？下周才能修" };
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.RegisterAsync(_w.Agent, form));
        Assert.Equal("Phrase.ForbiddenFound", ex.Errors["Answer"].Code);
        Assert.Contains("不是告诉你了，怎么还不明白？", (string)ex.Errors["Answer"].Args[0]);
        Assert.Equal(before, await CountContactsAsync());

        // Saved anyway on purpose: the phrase is recorded on the contact for HR's spot check.
        form.AcceptForbiddenPhrases = true;
        var r = await _w.Intake.RegisterAsync(_w.Agent, form);
        Assert.Equal(["不是告诉你了，怎么还不明白？"], (await _w.Intake.GetAsync(_w.Agent, r.ContactId))!.ForbiddenPhrases);
    }

    [Fact]
    public async Task A_complaint_reply_with_a_forbidden_phrase_is_flagged()
    {
        var id = await _w.RegisterComplaintAsync();
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.HandleAsync(_w.Handler, id, "已处理", "这个不是我办的，不知道，不清楚。", false));
        Assert.Contains("不是我办的", (string)ex.Errors["Reply"].Args[0]);
        Assert.Equal(ComplaintStates.Contacted, (await _w.Complaints.GetAsync(_w.Agent, id))!.State);
    }

    [Theory]
    [InlineData("你不是说明天来修吗？", "你不是说XX吗？")]
    [InlineData("大点声，听不见！", "大点声，听不见！")]
    [InlineData("大点声听不见", "大点声，听不见！")]
    public void Forbidden_phrases_are_found_ignoring_punctuation_and_with_placeholders(string reply, string phrase) =>
        Assert.Equal([phrase], ServiceLanguage.FindForbidden(reply, [phrase, "这不归我们管。"]));

    [Fact]
    public void A_polite_reply_has_no_forbidden_phrase() =>
        Assert.Empty(ServiceLanguage.FindForbidden("您好，我们会将您反映的问题与相关部门联系，请您留下联系电话。", ["你不是说XX吗？", "大点声，听不见！", "不是我办的，不知道，不清楚。"]));

    [Fact]
    public async Task The_customers_history_and_open_complaints_are_at_hand()
    {
        var id = await _w.RegisterComplaintAsync(content: "车库积水");
        var history = await _w.Intake.HistoryAsync(Actor.System, _w.CustomerId);
        Assert.Contains(history, h => h.ComplaintId == id && h.Content == "车库积水");
        Assert.Contains(await _w.Intake.OpenComplaintsAsync(Actor.System, _w.CustomerId), c => c.Id == id);
    }

    [Fact]
    public async Task A_hand_over_records_to_whom_when_and_the_result()
    {
        var r = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "查询维修进度", Answer = "已转交工程部" });
        await _w.Intake.HandOverAsync(_w.Agent, r.ContactId, _w.Handler.Id);
        _s.Clock.Advance(TimeSpan.FromHours(2));
        await _w.Intake.RecordHandOverResultAsync(_w.Handler, r.ContactId, "已电话告知客户维修安排");
        var c = (await _w.Intake.GetAsync(_w.Agent, r.ContactId))!;
        Assert.Equal(_w.Handler.Id, c.HandoverToId);
        Assert.NotNull(c.HandoverAt);
        Assert.Equal("已电话告知客户维修安排", c.HandoverResult);
        Assert.Equal(_w.Agent.Id, c.FirstResponderId);
    }

    private async Task<int> CountContactsAsync()
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        return await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM contacts");
    }
}
