using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

public sealed class CountingTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{

    // ------------------------------------------------------------ classification (rule 5)

    [Fact]
    public async Task Classifying_by_root_cause_keeps_the_customers_description_and_is_on_the_timeline()
    {
        var id = await _w.ComplaintAsync("天花板一直滴水");
        var leak = await _w.LeafRootCauseAsync();
        await _w.Counting.ClassifyAsync(_w.W.Handler, id, leak);
        var info = (await _w.Counting.GetAsync(Actor.System, id))!;
        Assert.Equal(leak, info.RootCauseId);
        Assert.Equal("天花板一直滴水", info.Content);
        Assert.Contains(await _w.W.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.Classified && e.Details == "工程质量 / 渗漏");
    }

    [Fact]
    public async Task Only_a_second_level_cause_classifies_and_another_departments_handler_may_not()
    {
        var id = await _w.ComplaintAsync();
        var top = (await _w.Counting.RootCausesAsync()).First(r => r.ParentId is null).Id;
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Counting.ClassifyAsync(_w.Supervisor, id, top));
        Assert.Equal("Counting.RootCauseLeafRequired", ex.Errors["RootCauseId"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Counting.ClassifyAsync(_w.W.OtherHandler, id, 0 + top));
        Assert.Null((await _w.Counting.GetAsync(Actor.System, id))!.RootCauseId);
    }

    [Fact]
    public async Task The_database_refuses_to_close_a_complaint_without_a_root_cause()
    {
        var id = await _w.ComplaintAsync();
        var ex = await Assert.ThrowsAsync<PostgresException>(() => Scalar<int>("UPDATE complaint_states SET state = 'closed' WHERE complaint_id = @id", new { id }));
        Assert.Equal("complaint_states_closed_has_root_cause", ex.ConstraintName);
        await _w.Counting.ClassifyAsync(_w.Supervisor, id, await _w.LeafRootCauseAsync());
        await Scalar<int>("UPDATE complaint_states SET state = 'closed', closed_at = now() WHERE complaint_id = @id", new { id });
        Assert.Equal("closed", await Scalar<string>("SELECT state FROM complaint_states WHERE complaint_id = @id", new { id }));
        // A closed complaint's root cause is not removed behind the closure's back either (the copy on its state row is checked).
        var cleared = await Assert.ThrowsAsync<PostgresException>(() => Scalar<int>("UPDATE complaints SET root_cause_id = NULL WHERE id = @id", new { id }));
        Assert.Equal("complaint_states_closed_has_root_cause", cleared.ConstraintName);
    }

    [Fact]
    public async Task The_supervisor_edits_the_taxonomy_in_two_levels_and_an_agent_may_not()
    {
        var top = await _w.Counting.SaveRootCauseAsync(_w.Supervisor, new RootCause(0, null, "规划设计" + Guid.NewGuid().ToString("N")[..4], "Planning", "规划与设计缺陷", true, 9));
        var leaf = await _w.Counting.SaveRootCauseAsync(_w.Supervisor, new RootCause(0, top, "户型缺陷", "Layout defects", "户型设计不合理", true, 1));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Counting.SaveRootCauseAsync(_w.Supervisor, new RootCause(0, leaf, "第三级", "Third", "不允许", true, 1)));
        Assert.Equal("Counting.RootCause.TwoLevels", ex.Errors["ParentId"].Code);
        var missing = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Counting.SaveRootCauseAsync(_w.Supervisor, new RootCause(0, top, "无定义", "No definition", " ", true, 1)));
        Assert.Equal("Validation.Required", missing.Errors["Definition"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Counting.SaveRootCauseAsync(_w.W.Agent, new RootCause(0, top, "x", "x", "x", true, 1)));
    }

    // ------------------------------------------------------------ verification (rule 1)

    [Fact]
    public async Task Reports_count_only_verified_counted_complaints_and_say_how_many_await_verification()
    {
        var a = await _w.ComplaintAsync("电梯经常停运");
        var b = await _w.ComplaintAsync("物业费收费标准不合理", _w.OtherCustomerId);
        await _w.ComplaintAsync("小区绿化无人养护");
        await _w.Counting.VerifyAsync(_w.Supervisor, a, counted: true, reason: null);
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Counting.VerifyAsync(_w.Supervisor, b, counted: false, reason: " "));
        Assert.Equal("Counting.ReasonRequired", ex.Errors["Reason"].Code);
        await _w.Counting.VerifyAsync(_w.Supervisor, b, counted: false, reason: "咨询，非投诉");
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Counting.VerifyAsync(_w.W.Agent, b, true, null));

        var r = await _w.Statistics.CountAsync(Actor.System, _w.Today());
        Assert.Equal(1, r.Counted);
        Assert.Equal(1, r.AwaitingVerification);
        Assert.Equal(1, r.NotCounted);
        Assert.Equal(1, (await _w.Counting.AwaitingVerificationAsync(Actor.System, _w.W.ProjectId, 0, 10)).Total);
    }

    // ------------------------------------------------------------ merge (rules 2, 3)

    [Fact]
    public async Task Merge_and_unmerge_keep_every_contact()
    {
        var first = await _w.RegisterAsync("3号楼地下车库顶板漏水，车被淋湿");
        var again = await _w.RegisterAsync("地下车库顶板又漏水了，车被淋湿");
        var neighbour = await _w.RegisterAsync("3号楼车库顶板漏水", _w.OtherCustomerId);
        var head = first.ComplaintId!.Value;

        await _w.Counting.MergeAsync(_w.Supervisor, head, again.ComplaintId!.Value);
        await _w.Counting.MergeAsync(_w.Supervisor, again.ComplaintId!.Value, neighbour.ComplaintId!.Value); // resolved to the survivor

        var voices = await _w.Counting.VoicesAsync(Actor.System, head);
        Assert.Equal([first.ContactId, again.ContactId, neighbour.ContactId], voices.Select(v => v.ContactId).ToArray());
        var info = (await _w.Counting.GetAsync(Actor.System, head))!;
        Assert.Equal((2, 3), (info.Complainants, info.Times));
        Assert.Equal(head, (await _w.Counting.GetAsync(Actor.System, neighbour.ComplaintId!.Value))!.MergedIntoId);
        Assert.Equal(voices, await _w.Counting.VoicesAsync(Actor.System, neighbour.ComplaintId!.Value)); // seen from any member

        await _w.Counting.UnmergeAsync(_w.Supervisor, neighbour.ComplaintId!.Value);
        Assert.Equal([first.ContactId, again.ContactId], (await _w.Counting.VoicesAsync(Actor.System, head)).Select(v => v.ContactId).ToArray());
        Assert.Equal([neighbour.ContactId], (await _w.Counting.VoicesAsync(Actor.System, neighbour.ComplaintId!.Value)).Select(v => v.ContactId).ToArray());
        Assert.Null((await _w.Counting.GetAsync(Actor.System, neighbour.ComplaintId!.Value))!.MergedIntoId);
        Assert.Equal(3, await Scalar<int>("SELECT count(*) FROM contacts WHERE id = ANY(@ids)", new { ids = new[] { first.ContactId, again.ContactId, neighbour.ContactId } }));
        var kinds = (await _w.W.Complaints.TimelineAsync(Actor.System, neighbour.ComplaintId!.Value)).Select(e => e.Kind).ToList();
        Assert.Contains(ComplaintEvents.MergedInto, kinds);
        Assert.Contains(ComplaintEvents.Unmerged, kinds);
    }

    [Fact]
    public async Task A_merged_group_counts_once_in_a_report_with_its_complainants_and_times()
    {
        var head = await _w.ComplaintAsync("3号楼地下车库顶板漏水");
        var m1 = await _w.ComplaintAsync("3号楼地下车库顶板又漏水");
        var m2 = await _w.ComplaintAsync("3号楼车库漏水", _w.OtherCustomerId);
        var other = await _w.ComplaintAsync("物业费收费标准不合理"); // a different complaint of the same customer: counted separately
        await _w.Counting.MergeAsync(_w.Supervisor, head, m1);
        await _w.Counting.MergeAsync(_w.Supervisor, head, m2);
        await Assert.ThrowsAsync<DomainException>(() => _w.Counting.VerifyAsync(_w.Supervisor, m1, true, null));
        await _w.Counting.VerifyAsync(_w.Supervisor, head, true, null);
        await _w.Counting.VerifyAsync(_w.Supervisor, other, true, null);
        await _w.Counting.ClassifyAsync(_w.Supervisor, head, await _w.LeafRootCauseAsync("渗漏"));
        await _w.Counting.ClassifyAsync(_w.Supervisor, other, await _w.LeafRootCauseAsync("收费争议"));

        var byProject = await _w.Statistics.CountAsync(Actor.System, _w.Today());
        Assert.Equal(2, byProject.Counted);
        Assert.Equal(0, byProject.AwaitingVerification);
        var row = Assert.Single(byProject.Rows);
        Assert.Equal((2, 3, 4), (row.Complaints, row.Complainants, row.Times));

        var byCause = await _w.Statistics.CountAsync(Actor.System, _w.Today(StatisticsDimension.RootCause));
        Assert.Equal((1, 2, 3), byCause.Rows.Where(r => r.Label == "渗漏").Select(r => (r.Complaints, r.Complainants, r.Times)).Single());
        Assert.Equal(1, byCause.Rows.Single(r => r.Label == "收费争议").Complaints);
        var byGroup = await _w.Statistics.CountAsync(Actor.System, _w.Today(StatisticsDimension.RootCauseGroup));
        Assert.Equal(["工程质量", "物业服务"], byGroup.Rows.Select(r => r.Label ?? "").Order().ToArray());

        await _w.Counting.UnmergeAsync(_w.Supervisor, m2);
        var after = await _w.Statistics.CountAsync(Actor.System, _w.Today());
        Assert.Equal(2, after.Counted);
        Assert.Equal(1, after.AwaitingVerification); // the restored complaint is verified on its own
    }

    [Fact]
    public async Task A_contact_attached_at_intake_becomes_another_voice_of_the_complaint()
    {
        var target = await _w.ComplaintAsync();
        var inquiry = await _w.RegisterAsync("车库漏水的事什么时候修？", _w.OtherCustomerId, ContactKinds.Inquiry);
        await _w.Counting.AttachContactAsync(_w.W.Agent, target, inquiry.ContactId);
        var info = (await _w.Counting.GetAsync(Actor.System, target))!;
        Assert.Equal((2, 2), (info.Complainants, info.Times));
        Assert.Contains(await _w.Counting.VoicesAsync(Actor.System, target), v => v.ContactId == inquiry.ContactId && v.How == VoiceKinds.Attached);
        await Assert.ThrowsAsync<DomainException>(() => _w.Counting.AttachContactAsync(_w.W.Agent, target, inquiry.ContactId));

        // A contact that already opened a complaint is merged, not lost.
        var dup = await _w.RegisterAsync("车库又漏水");
        await _w.Counting.AttachContactAsync(_w.W.Agent, target, dup.ContactId);
        Assert.Equal(target, (await _w.Counting.GetAsync(Actor.System, dup.ComplaintId!.Value))!.MergedIntoId);
        Assert.Equal(3, (await _w.Counting.GetAsync(Actor.System, target))!.Times);
    }

    // ------------------------------------------------------------ online (rule 4)

    [Fact]
    public async Task A_follow_up_with_new_content_is_split_off_and_counted_separately()
    {
        var original = (await _w.RegisterAsync("论坛发帖：小区停车位严重不足", channel: Channels.Forum)).ComplaintId!.Value;
        await _w.Counting.UpdateOnlineAsync(_w.W.Agent, original, "https://bbs.example.com/t/123", 37, 5200, "业主在小区门口聚集");
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Counting.UpdateOnlineAsync(_w.W.Agent, original, "bbs/123", 1, 1, ""));
        Assert.Equal("Counting.PostUrlInvalid", bad.Errors["PostUrl"].Code);

        var split = await _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "跟帖新内容：地库入口积水", "地库积水受害者");
        Assert.StartsWith("FY-2026-", split.SheetNo);
        var info = (await _w.Counting.GetAsync(Actor.System, split.ComplaintId))!;
        Assert.Equal(original, info.SplitFromId);
        Assert.Equal("https://bbs.example.com/t/123", info.PostUrl);
        Assert.Equal(Channels.Forum, info.Channel);
        Assert.Equal(37, (await _w.Counting.GetAsync(Actor.System, original))!.FollowUpCount);
        Assert.Contains(await _w.Counting.SplitOffsAsync(Actor.System, original), s => s.Id == split.ComplaintId);

        await _w.Counting.VerifyAsync(_w.Supervisor, original, true, null);
        await _w.Counting.VerifyAsync(_w.Supervisor, split.ComplaintId, true, null);
        var r = await _w.Statistics.CountAsync(Actor.System, _w.Today(StatisticsDimension.Channel));
        Assert.Equal(2, r.Rows.Single(x => x.Key == Channels.Forum).Complaints);
    }

    [Fact]
    public async Task A_split_off_follow_up_belongs_to_its_author_known_by_a_forum_handle_not_to_the_original_poster()
    {
        var original = (await _w.RegisterAsync("论坛发帖：小区停车位严重不足", channel: Channels.Forum)).ComplaintId!.Value;
        var originalCustomer = (await _w.Counting.GetAsync(Actor.System, original))!.CustomerId;

        var split = await _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "跟帖新内容：地库入口积水", " 地库积水受害者 ");
        var info = (await _w.Counting.GetAsync(Actor.System, split.ComplaintId))!;
        Assert.NotEqual(originalCustomer, info.CustomerId);
        Assert.Equal(split.CustomerId, info.CustomerId);
        var author = (await _s.Get<CustomerRepository>().GetAsync(Actor.System, info.CustomerId))!;
        Assert.Equal(("地库积水受害者", "", Channels.Forum, "地库积水受害者"), (author.Name, author.PhoneMasked, author.ContactChannel, author.ContactHandle));
        Assert.Equal(info.CustomerId, (await _s.Get<ServiceHub.Data.Intake.IntakeRepository>().GetAsync(_w.W.Agent, split.ContactId))!.CustomerId);

        // The same author's next follow-up is theirs again (one customer per handle); another author is another customer.
        var again = await _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "再跟帖：地库照明也坏了", "地库积水受害者");
        Assert.Equal(split.CustomerId, again.CustomerId);
        var other = await _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "跟帖：垃圾站异味", "楼下邻居");
        Assert.NotEqual(split.CustomerId, other.CustomerId);

        var missing = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "又一条", " "));
        Assert.Equal("Validation.Required", missing.Errors["Author"].Code);
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Counting.SplitFollowUpAsync(_w.W.Agent, original, "又一条", new string('名', 101)));
        Assert.Equal("Validation.TooLong", tooLong.Errors["Author"].Code);
    }

    [Fact]
    public async Task A_customer_without_a_phone_is_reached_by_a_handle_through_the_forum_media_or_forwarding_channels_only()
    {
        var customers = _s.Get<CustomerRepository>();
        var paper = await customers.SaveAsync(_w.W.Agent, new CustomerEdit { Name = "北京晚报", ContactChannel = Channels.Media, ContactHandle = "北京晚报社会新闻部" });
        var none = await Assert.ThrowsAsync<ValidationFailedException>(() => customers.SaveAsync(_w.W.Agent, new CustomerEdit { Name = "无名" }));
        Assert.Equal("Customer.PhoneOrHandle", none.Errors["Phone"].Code);
        var phoneChannel = await Assert.ThrowsAsync<ValidationFailedException>(() => customers.SaveAsync(_w.W.Agent,
            new CustomerEdit { Name = "某人", ContactChannel = Channels.Phone, ContactHandle = "某人" }));
        Assert.Equal("Validation.Required", phoneChannel.Errors["ContactChannel"].Code);

        var form = _w.W.ComplaintForm("报道：小区外立面脱落");
        form.CustomerId = paper;
        form.UnitId = null;
        form.Channel = Channels.Media;
        Assert.NotNull((await _w.W.Intake.RegisterAsync(_w.W.Agent, form)).ComplaintId);
        form.Channel = Channels.Phone;
        var byPhone = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.W.Intake.RegisterAsync(_w.W.Agent, form));
        Assert.Equal("Intake.ChannelNeedsPhone", byPhone.Errors["Channel"].Code);

        // The database refuses a customer reached by nothing at all.
        await using var conn = await _s.Get<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("INSERT INTO customers (name, phone) VALUES ('无联系方式', NULL)"));
        Assert.Equal("customers_reachable", ex.ConstraintName);
    }

    // ------------------------------------------------------------ duplicate suggestion

    [Fact]
    public async Task Duplicate_suggestion_finds_a_near_duplicate_of_the_last_30_days_and_ignores_other_projects()
    {
        var old = await _w.ComplaintAsync("5号楼电梯经常困人，物业不管");
        _s.Clock.Advance(TimeSpan.FromDays(31));
        var recent = await _w.ComplaintAsync("5号楼电梯经常困人，物业一直不管");
        var unrelated = await _w.ComplaintAsync("物业费收费标准不合理");
        var (otherProject, otherUnit) = await Build.ProjectWithUnitAsync(_s, "DUP" + Guid.NewGuid().ToString("N")[..6]);
        var otherCustomer = await Build.CustomerAsync(_s, "李女士", "13600001111", otherUnit);
        var elsewhere = (await _w.W.Intake.RegisterAsync(_w.W.Agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = otherCustomer, UnitId = otherUnit, Content = "5号楼电梯经常困人，物业不管",
        })).ComplaintId!.Value;

        var found = await _w.Counting.SuggestDuplicatesAsync(Actor.System, _w.W.ProjectId, "5号楼电梯经常困人物业不管", _s.Clock.GetUtcNow());
        var ids = found.Select(f => f.Id).ToList();
        Assert.Equal(recent, ids.First());
        Assert.DoesNotContain(old, ids);
        Assert.DoesNotContain(unrelated, ids);
        Assert.DoesNotContain(elsewhere, ids);
        Assert.Empty(await _w.Counting.SuggestDuplicatesAsync(Actor.System, otherProject + 100000, "5号楼电梯经常困人物业不管", _s.Clock.GetUtcNow()));
    }
}
