using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

/// <summary>Automatic filing of other modules' records, the retention sweep and destruction of linked records (DOMAIN.md §2).</summary>
public sealed class InformationLifecycleTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private InformationLifecycle Lifecycle => _s.Get<InformationLifecycle>();
    private InformationRegister Register => _s.Get<InformationRegister>();
    private Actor Leader => new(_w.VpId, "vp", "领导", [Roles.Leadership], null);

    private Task<(string Kind, string State)> RowOf(string type, long id) =>
        Scalar<string>("SELECT kind || '/' || state FROM info_records WHERE source_type = @type AND source_id = @id", new { type, id })
            .ContinueWith(t => t.Result.Split('/') is [var k, var s] ? (k, s) : ("", ""));

    [Fact]
    public async Task The_manual_has_seventeen_kinds_in_five_classes_and_customer_events_in_two()
    {
        var kinds = await Register.KindsAsync();
        Assert.Equal(17, kinds.Count);
        Assert.Equal(["company", "customer_private", "customer_to_company", "commercial", "product"], kinds.Select(k => k.Class).Distinct());
        Assert.Equal([2, 2, 7, 2, 5], new[] { "company", "customer_private", "customer_to_company", "commercial", "product" }
            .Select(c => kinds.Count(k => k.Classes.Contains(c))));
        Assert.Equal(["customer_to_company", "commercial"], kinds.Single(k => k.Code == "customer_events").Classes);
        Assert.DoesNotContain(kinds, k => k.Code is "department_flow" or "commercial_events");
    }

    [Fact]
    public async Task The_frequent_run_files_the_last_days_only_and_the_nightly_run_catches_up_with_the_rest()
    {
        var old = await _w.RegisterComplaintAsync(content: "三天前的投诉");
        _s.Clock.Advance(TimeSpan.FromDays(3));
        var recent = await _w.RegisterComplaintAsync(content: "今天的投诉");

        await Lifecycle.FileAndStoreAsync(_s.Clock.GetUtcNow().AddDays(-2));
        Assert.Equal("complaints", (await RowOf("complaint", recent)).Kind);
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM info_records WHERE source_type = 'complaint' AND source_id = @old", new { old }));

        await Lifecycle.FileAndStoreAsync(null);
        Assert.Equal(("complaints", "filed"), await RowOf("complaint", old));
    }

    [Fact]
    public async Task Complaints_contacts_and_compensation_are_filed_once_and_stored_when_finished()
    {
        var complaint = await _w.RegisterComplaintAsync(content: "入户门锁损坏");
        var complaintContact = await Scalar<long>("SELECT contact_id FROM complaints WHERE id = @complaint", new { complaint });
        var answered = (await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, Content = "物业费标准", Answer = "每月2.8元/平方米", Satisfied = true })).ContactId;
        var handedOver = (await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Visit, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "车位办理进度", Answer = "转交" })).ContactId;
        await _w.Intake.HandOverAsync(_w.Agent, handedOver, _w.Handler.Id);
        var loss = await _s.Get<EmergencyRepository>().ReportAsync(_w.Agent, new EmergencyReport
        {
            Kind = EmergencyKinds.CompensationLoss, AmountYuan = 8000, ProjectId = _w.ProjectId, Location = "3号楼大堂", OccurredAt = _s.Clock.GetUtcNow().AddMinutes(-10),
            Description = "水管爆裂浸泡业主家具，公司赔偿", ResponsibleDepartmentId = _w.DepartmentId,
        });

        var first = await Lifecycle.FileAndStoreAsync(null);
        var again = await Lifecycle.FileAndStoreAsync(null);

        Assert.True(first.Filed >= 5);
        Assert.Equal((0, 0), (again.Filed, again.Stored));
        Assert.Equal(5, await Scalar<int>("""
            SELECT count(*) FROM info_records WHERE (source_type = 'complaint' AND source_id = @complaint)
                OR (source_type = 'contact' AND source_id IN (@complaintContact, @answered, @handedOver)) OR (source_type = 'emergency' AND source_id = @loss)
            """, new { complaint, complaintContact, answered, handedOver, loss = (long)loss }));
        Assert.Equal(("complaints", "filed"), await RowOf("complaint", complaint));
        Assert.Equal(("hotline_reception", "stored"), await RowOf("contact", complaintContact));
        Assert.Equal(("questions", "stored"), await RowOf("contact", answered));
        Assert.Equal(("questions", "filed"), await RowOf("contact", handedOver));
        Assert.Equal(("compensation", "filed"), await RowOf("emergency", loss));
        // The title is kept by the tombstone, so it names the record, never what the customer said.
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM info_records WHERE title LIKE '%门锁%' OR title LIKE '%物业费%'"));

        await _w.Intake.RecordHandOverResultAsync(_w.Handler, handedOver, "已办妥");
        Assert.True((await Lifecycle.FileAndStoreAsync(null)).Stored >= 1);
        Assert.Equal(("questions", "stored"), await RowOf("contact", handedOver));
    }

    [Fact]
    public async Task The_retention_job_asks_for_destruction_and_only_an_approval_removes_the_private_data()
    {
        var customer = await Build.CustomerAsync(_s, "孙先生", "13612345678");
        var contact = (await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = customer, Content = "孙先生询问房产证办理", Answer = "下月统一办理", Satisfied = true })).ContactId;
        await Lifecycle.FileAndStoreAsync(null);
        var id = await Scalar<long>("SELECT id FROM info_records WHERE source_type = 'contact' AND source_id = @contact", new { contact });

        await Lifecycle.RequestDueDestructionsAsync();
        Assert.Equal("stored", await Scalar<string>("SELECT state FROM info_records WHERE id = @id", new { id }));
        _s.Clock.Advance(TimeSpan.FromDays(37 * 31));
        Assert.True(await Lifecycle.RequestDueDestructionsAsync() >= 1);
        Assert.Equal(0, await Lifecycle.RequestDueDestructionsAsync());

        // Requested, not destroyed: everything is still there until someone approves.
        var pending = Assert.Single(await Register.PendingDestructionsAsync(Leader), r => r.Id == id);
        Assert.Equal((InfoRecord.RetentionEnded, null), (pending.DestroyReason, pending.DestroyRequestedByName));
        Assert.Equal("孙先生询问房产证办理", await Scalar<string>("SELECT content FROM contacts WHERE id = @contact", new { contact }));
        Assert.Equal("孙先生", await Scalar<string>("SELECT name FROM customers WHERE id = @customer", new { customer }));
        await Assert.ThrowsAsync<ForbiddenException>(() => Register.ApproveDestructionAsync(_w.Agent, id));

        await Register.ApproveDestructionAsync(Leader, id);

        var tomb = Assert.Single(await Register.RecordsAsync(new Actor(0, "adm", "adm", [Roles.Admin], null), "questions"), r => r.Id == id);
        Assert.Equal("destroyed", tomb.State);
        Assert.StartsWith("咨询查询登记", tomb.Title);
        Assert.NotNull(tomb.DestroyedAt);
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM contacts WHERE id = @contact AND (content LIKE '%房产证%' OR answer LIKE '%办理%')", new { contact }));
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM customers WHERE id = @customer AND (name LIKE '%孙%' OR phone = '13612345678')", new { customer }));
        Assert.Equal(1, await Scalar<int>("SELECT count(*) FROM audit_log WHERE action = 'info-destroyed' AND entity_id = @id", new { id = id.ToString() }));
    }

    [Fact]
    public async Task Destroying_a_closed_complaints_record_blanks_what_the_customer_said_the_answers_and_the_close_reason()
    {
        var complaint = await _w.RegisterComplaintAsync(content: "地库漏水，车被淋湿");
        // A closed complaint (its state row holds the close reason since sql/0310), written directly as a test fixture may.
        await _w.ExecuteAsync("""
            UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL), resolution = '修补地库顶板', reply = '已修复并赔偿洗车费'
            WHERE id = @complaint
            """, new { complaint });
        await _w.ExecuteAsync("UPDATE complaint_states SET state = 'closed', closed_at = @now, close_reason = '客户满意：已赔偿洗车费' WHERE complaint_id = @complaint",
            new { complaint, now = _s.Clock.GetUtcNow() });
        await Lifecycle.FileAndStoreAsync(null);
        Assert.Equal(("complaints", "stored"), await RowOf("complaint", complaint));
        var id = await Scalar<long>("SELECT id FROM info_records WHERE source_type = 'complaint' AND source_id = @complaint", new { complaint });

        _s.Clock.Advance(TimeSpan.FromDays(61 * 31));
        Assert.True(await Lifecycle.RequestDueDestructionsAsync() >= 1);
        await Register.ApproveDestructionAsync(Leader, id);

        const string gone = "（已销档）";
        Assert.Equal((gone, gone, gone, gone, "closed"), await Scalar<string>("""
            SELECT concat_ws('|', c.content, c.resolution, c.reply, st.close_reason, st.state)
            FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.id = @complaint
            """, new { complaint }).ContinueWith(t => t.Result.Split('|') is [var a, var b, var c, var d, var e] ? (a, b, c, d, e) : default));
    }

    [Fact]
    public async Task A_customer_with_a_live_record_keeps_their_name_and_a_refused_destruction_keeps_the_record()
    {
        var kept = (await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, Content = "交房时间", Answer = "年底", Satisfied = true })).ContactId;
        var complaint = await _w.RegisterComplaintAsync(content: "外墙渗水");
        await Lifecycle.FileAndStoreAsync(null);
        _s.Clock.Advance(TimeSpan.FromDays(37 * 31));
        await Lifecycle.RequestDueDestructionsAsync();
        var complaintContact = await Scalar<long>("SELECT contact_id FROM complaints WHERE id = @complaint", new { complaint });
        var pending = (await Register.PendingDestructionsAsync(Leader)).Select(r => r.Id).ToList();
        long[] ids = [await Scalar<long>("SELECT id FROM info_records WHERE source_type = 'contact' AND source_id = @kept", new { kept }),
            await Scalar<long>("SELECT id FROM info_records WHERE source_type = 'contact' AND source_id = @complaintContact", new { complaintContact })];
        Assert.All(ids, id => Assert.Contains(id, pending));
        // The open complaint itself is filed, not stored: its retention has not started.
        Assert.Equal("filed", await Scalar<string>("SELECT state FROM info_records WHERE source_type = 'complaint' AND source_id = @complaint", new { complaint }));

        await Register.ApproveDestructionAsync(Leader, ids[0]);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Register.RejectDestructionAsync(Leader, ids[1], " "));
        await Register.RejectDestructionAsync(Leader, ids[1], "涉诉，继续保存");

        Assert.Equal("陈女士", await Scalar<string>("SELECT name FROM customers WHERE id = @id", new { id = _w.CustomerId }));
        Assert.Equal("stored", await Scalar<string>("SELECT state FROM info_records WHERE id = @id", new { id = ids[1] }));
        Assert.Equal("涉诉，继续保存", await Scalar<string>("SELECT destroy_rejected_reason FROM info_records WHERE id = @id", new { id = ids[1] }));
        await Lifecycle.RequestDueDestructionsAsync();
        Assert.Equal("stored", await Scalar<string>("SELECT state FROM info_records WHERE id = @id", new { id = ids[1] }));
        Assert.Equal("外墙渗水", await Scalar<string>("SELECT content FROM complaints WHERE id = @complaint", new { complaint }));
    }
}
