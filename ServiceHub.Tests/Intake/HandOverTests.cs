using Microsoft.Extensions.Options;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Intake;

/// <summary>
/// A hand-over reaches its recipient (issue #11 point 4): notified at once, listed under "handed over to me", taken up and answered there;
/// one not taken up within the configured working days (one by default, on the business calendar) is flagged once to its first responder
/// and put before HR as 「首问人没有及时将办事人拟办的事项移交」.
/// </summary>
public sealed class HandOverTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private HandOverSweep Sweep => _s.Get<HandOverSweep>();
    protected override DateTimeOffset? Start => Beijing(2026, 9, 1, 9);

    /// <summary>Runs the sweep (over every test's hand-overs in this database) and says whether this one is flagged now.</summary>
    private async Task<bool> SweptAndFlaggedAsync(long contactId)
    {
        await Sweep.RunAsync();
        return (await _w.Intake.GetAsync(_w.Agent, contactId))!.HandoverFlaggedAt is not null;
    }

    /// <summary>An inquiry the agent could not answer on the spot, handed over to the department's handler at the clock's time.</summary>
    private async Task<long> HandedOverAsync(string content = "查询车位产权办理进度", string? note = "请核实后回复客户")
    {
        var r = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = content, Answer = "已记录，将由物业回复",
        });
        await _w.Intake.HandOverAsync(_w.Agent, r.ContactId, _w.Handler.Id, note);
        return r.ContactId;
    }

    private static DateTimeOffset Beijing(int y, int m, int d, int h, int min = 0, int s = 0) => new DateTimeOffset(y, m, d, h, min, s, TimeSpan.FromHours(8)).ToUniversalTime();

    private async Task<IReadOnlyList<Notification>> NotificationsOfAsync(int userId) => await _s.Get<NotificationRepository>().RecentAsync(userId, 50);

    [Fact]
    public async Task The_recipient_is_notified_at_once_and_finds_it_in_their_list()
    {
        var id = await HandedOverAsync();
        var contact = (await _w.Intake.GetAsync(_w.Agent, id))!;
        var note = Assert.Single(await NotificationsOfAsync(_w.Handler.Id), n => n.Kind == "handover");
        Assert.Equal("Notify.HandedOver", note.MessageKey);
        Assert.Equal(IntakeRepository.HandOverListLink, note.Link);
        Assert.Equal([_w.Agent.DisplayName, contact.RegisterNo, contact.SheetNo!, BusinessTime.Format(contact.HandoverDueAt)], note.Args);
        Assert.Null(note.ReadAt);

        var mine = Assert.Single(await _w.Intake.HandedOverToAsync(_w.Handler, openOnly: true));
        Assert.Equal((id, "请核实后回复客户", _w.Agent.Id), (mine.ContactId, mine.HandoverNote, mine.FirstResponderId));
        Assert.Equal(1, await _w.Intake.OpenHandOversToAsync(_w.Handler));
        Assert.Empty(await _w.Intake.HandedOverToAsync(_w.OtherHandler, openOnly: false));
        // The recipient reads the contact; a stranger to it does not.
        Assert.NotNull(await _w.Intake.GetAsync(_w.Handler, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.GetAsync(_w.OtherHandler, id));
    }

    [Fact]
    public async Task The_recipient_takes_it_up_and_records_the_result_which_completes_the_first_responders_record()
    {
        var id = await HandedOverAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.TakeUpAsync(_w.OtherHandler, id));
        _s.Clock.Advance(TimeSpan.FromMinutes(20));
        await _w.Intake.TakeUpAsync(_w.Handler, id);
        Assert.Equal("Contact.AlreadyTakenUp", (await Assert.ThrowsAsync<DomainException>(() => _w.Intake.TakeUpAsync(_w.Handler, id))).Code);
        Assert.Equal(_s.Clock.GetUtcNow(), (await _w.Intake.GetAsync(_w.Handler, id))!.HandoverTakenAt);

        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.RecordHandOverResultAsync(_w.Handler, id, new string('办', HandOvers.ResultMax + 1)));
        Assert.Equal(new FieldError("Validation.TooLong", HandOvers.ResultMax).Code, tooLong.Errors["Result"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.RecordHandOverResultAsync(_w.OtherHandler, id, "不是我的"));
        _s.Clock.Advance(TimeSpan.FromHours(3));
        await _w.Intake.RecordHandOverResultAsync(_w.Handler, id, "已电话告知客户：产权证下月办理");
        Assert.Equal("Contact.ResultAlreadyRecorded",
            (await Assert.ThrowsAsync<DomainException>(() => _w.Intake.RecordHandOverResultAsync(_w.Handler, id, "再记一次"))).Code);

        var c = (await _w.Intake.GetAsync(_w.Agent, id))!;
        Assert.Equal(("已电话告知客户：产权证下月办理", _s.Clock.GetUtcNow()), (c.HandoverResult, c.HandoverResultAt));
        Assert.Contains(await NotificationsOfAsync(_w.Agent.Id), n => n.MessageKey == "Notify.HandOverResult" && n.Link == $"/intake/contacts/{id}");
        Assert.Empty(await _w.Intake.HandedOverToAsync(_w.Handler, openOnly: true));
        Assert.Single(await _w.Intake.HandedOverToAsync(_w.Handler, openOnly: false));
    }

    [Fact]
    public async Task A_hand_over_to_oneself_or_with_too_long_a_note_is_refused_at_the_field_and_nothing_is_written()
    {
        var r = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, Content = "咨询", Answer = "已答复", Satisfied = true });
        Assert.Equal("Contact.HandOverToSelf",
            (await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.HandOverAsync(_w.Agent, r.ContactId, _w.Agent.Id))).Errors["To"].Code);
        Assert.Equal("Validation.TooLong",
            (await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.HandOverAsync(_w.Agent, r.ContactId, _w.Handler.Id, new string('注', HandOvers.NoteMax + 1)))).Errors["Note"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.HandOverAsync(_w.OtherHandler, r.ContactId, _w.Handler.Id));
        Assert.Null((await _w.Intake.GetAsync(_w.Agent, r.ContactId))!.HandoverToId);
        Assert.DoesNotContain(await NotificationsOfAsync(_w.Handler.Id), n => n.Kind == "handover");
    }

    [Fact]
    public async Task Not_taken_up_at_exactly_one_working_day_it_is_not_flagged_a_second_later_it_is_once()
    {
        _s.Clock.SetUtcNow(Beijing(2026, 11, 26, 10)); // a Thursday
        var id = await HandedOverAsync();
        Assert.Equal(Beijing(2026, 11, 27, 10), (await _w.Intake.GetAsync(_w.Agent, id))!.HandoverDueAt);

        _s.Clock.SetUtcNow(Beijing(2026, 11, 27, 10));
        Assert.False(await SweptAndFlaggedAsync(id));
        _s.Clock.SetUtcNow(Beijing(2026, 11, 27, 10, 0, 1));
        Assert.True(await SweptAndFlaggedAsync(id));
        Assert.True(await SweptAndFlaggedAsync(id));

        var flag = Assert.Single(await NotificationsOfAsync(_w.Agent.Id), n => n.MessageKey == "Notify.HandOverOverdue");
        Assert.Equal($"/intake/contacts/{id}", flag.Link);
        Assert.True((await _w.Intake.GetAsync(_w.Agent, id))!.IsHandOverOverdue(_s.Clock.GetUtcNow()));

        // Pre-filled for HR: on the period's list, flagged, with the breach of the first responder.
        var hr = new Actor(await Build.UserAsync(_s, "hr-handover", [ServiceHub.Data.Admin.Roles.Hr]), "hr-handover", "人力", [ServiceHub.Data.Admin.Roles.Hr], null);
        var spot = _s.Get<SpotCheckRepository>();
        var item = Assert.Single(await spot.ItemsAsync(hr, "2026-11"), i => i.ContactId == id);
        Assert.Equal((SpotCheckSources.HandOverOverdue, ContactKinds.Inquiry, _w.Agent.Id, (int?)null), (item.Source, item.Kind, item.FirstResponderId, item.DrawId));
        Assert.Contains(await spot.SuggestAsync(hr, item.Id), s => s.Breach == Breaches.LateHandover && s.PersonId == _w.Agent.Id);
    }

    [Fact]
    public async Task Over_a_weekend_the_working_day_runs_to_monday()
    {
        _s.Clock.SetUtcNow(Beijing(2026, 11, 27, 15)); // a Friday
        var id = await HandedOverAsync();
        Assert.Equal(Beijing(2026, 11, 30, 15), (await _w.Intake.GetAsync(_w.Agent, id))!.HandoverDueAt);
        foreach (var at in new[] { Beijing(2026, 11, 28, 15, 0, 1), Beijing(2026, 11, 29, 23, 59), Beijing(2026, 11, 30, 14, 59, 59), Beijing(2026, 11, 30, 15) })
        {
            _s.Clock.SetUtcNow(at);
            Assert.False(await SweptAndFlaggedAsync(id));
        }
        _s.Clock.SetUtcNow(Beijing(2026, 11, 30, 15, 0, 1));
        Assert.True(await SweptAndFlaggedAsync(id));
    }

    [Fact]
    public async Task Over_a_holiday_the_working_day_skips_it_and_a_make_up_working_day_counts()
    {
        _s.Clock.SetUtcNow(Beijing(2026, 9, 30, 16)); // the day before National Day (1–7 October)
        var beforeHoliday = await HandedOverAsync("国庆前移交");
        Assert.Equal(Beijing(2026, 10, 8, 16), (await _w.Intake.GetAsync(_w.Agent, beforeHoliday))!.HandoverDueAt);
        _s.Clock.SetUtcNow(Beijing(2026, 10, 1, 16, 0, 1));
        Assert.False(await SweptAndFlaggedAsync(beforeHoliday));

        _s.Clock.SetUtcNow(Beijing(2026, 10, 9, 9)); // a Friday; Saturday 10 October is a make-up working day
        var beforeMakeUp = await HandedOverAsync("调休前移交");
        Assert.Equal(Beijing(2026, 10, 10, 9), (await _w.Intake.GetAsync(_w.Agent, beforeMakeUp))!.HandoverDueAt);
        _s.Clock.SetUtcNow(Beijing(2026, 10, 10, 9));
        Assert.False(await SweptAndFlaggedAsync(beforeMakeUp));
        _s.Clock.SetUtcNow(Beijing(2026, 10, 10, 9, 0, 1));
        Assert.True(await SweptAndFlaggedAsync(beforeMakeUp));
        Assert.True(await SweptAndFlaggedAsync(beforeHoliday));
    }

    [Fact]
    public async Task Taken_up_in_time_it_is_never_flagged_even_if_the_result_comes_later()
    {
        _s.Clock.SetUtcNow(Beijing(2026, 11, 26, 10));
        var id = await HandedOverAsync();
        _s.Clock.SetUtcNow(Beijing(2026, 11, 27, 10));
        await _w.Intake.TakeUpAsync(_w.Handler, id);
        _s.Clock.SetUtcNow(Beijing(2026, 12, 4, 10));
        Assert.False(await SweptAndFlaggedAsync(id));
        Assert.DoesNotContain(await NotificationsOfAsync(_w.Agent.Id), n => n.MessageKey == "Notify.HandOverOverdue");
    }

    [Fact]
    public async Task The_time_to_take_it_up_is_configurable_in_working_days()
    {
        _s.Clock.SetUtcNow(Beijing(2026, 11, 26, 10)); // a Thursday: two working days run to Monday
        var intake = new IntakeRepository(_s.Get<Npgsql.NpgsqlDataSource>(), _s.Clock, _s.Get<ComplaintLifecycle>(), _s.Get<CountingRepository>(),
            _s.Get<ServiceHub.Data.ReturnVisits.RepeatComplaints>(), _s.Get<CalendarRepository>(), Options.Create(new IntakeOptions { HandOverWithinWorkingDays = 2 }));
        var r = await intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "两天", Answer = "转交" });
        await intake.HandOverAsync(_w.Agent, r.ContactId, _w.Handler.Id);
        Assert.Equal(Beijing(2026, 11, 30, 10), (await intake.GetAsync(_w.Agent, r.ContactId))!.HandoverDueAt);
    }

    [Fact]
    public void Working_days_are_counted_on_the_business_calendar()
    {
        var calendar = new BusinessCalendar([new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 2)], [new DateOnly(2026, 10, 10)]);
        Assert.Equal(Beijing(2026, 10, 5, 16), HandOvers.Due(Beijing(2026, 9, 30, 16), 1, calendar));
        Assert.Equal(Beijing(2026, 10, 6, 16), HandOvers.Due(Beijing(2026, 9, 30, 16), 2, calendar));
        // From a rest day: the end of the first (or n-th) working day that follows.
        Assert.Equal(Beijing(2026, 10, 6, 0), HandOvers.Due(Beijing(2026, 10, 3, 11), 1, calendar));
        Assert.Equal(Beijing(2026, 10, 7, 0), HandOvers.Due(Beijing(2026, 10, 3, 11), 2, calendar));
        Assert.Equal(Beijing(2026, 10, 10, 9), HandOvers.Due(Beijing(2026, 10, 9, 9), 1, calendar));
        Assert.False(HandOvers.IsOverdue(Beijing(2026, 10, 5, 16), null, null, Beijing(2026, 10, 5, 16)));
        Assert.True(HandOvers.IsOverdue(Beijing(2026, 10, 5, 16), null, null, Beijing(2026, 10, 5, 16, 0, 1)));
        Assert.False(HandOvers.IsOverdue(Beijing(2026, 10, 5, 16), Beijing(2026, 10, 5, 15), null, Beijing(2026, 10, 9, 0)));
    }
}
