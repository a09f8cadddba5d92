using Dapper;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>
/// Counting rule 3 at intake (docs/rules.md): likely duplicates are the complaints of the same project registered in the last 30 days
/// (the edge included), not merged, whose pg_trgm similarity to the new text is at least 0.3; most similar first, then the newest.
/// The app reads them through the GiST index on complaint_texts (sql/0210); these tests hold it to the rule on hand-checked data,
/// to the rule read literally (<see cref="CountingRepository.DuplicatesReferenceSql"/>) on generated data, and to the complaint's
/// own row after every kind of change.
/// </summary>
public sealed class DuplicateSuggestionTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{
    private const string Text = "电梯经常困人";

    // Hand-checked: pg_trgm cuts text into words at punctuation (a run of Chinese characters is one word) and a word of k characters
    // into k + 1 trigrams ("  电", " 电梯", "电梯经", …, "困人 "); similarity = shared / (all distinct of both). Against 电梯经常困人
    // (7 trigrams):
    //   电梯经常困人             7 shared of 7               = 1
    //   电梯经常困人物业不管      6 of 7 + 11 − 6 = 12        = 0.5       ("困人 " is not in it)
    //   电梯经常坏                4 of 7 + 6 − 4 = 9          = 0.444…
    //   电梯困人                  3 of 7 + 5 − 3 = 9          = 0.333…    ("  电", " 电梯", "困人 ")
    //   电梯经修理                3 of 7 + 6 − 3 = 10         = 0.3       (at the threshold: suggested)
    //   电梯                      2 of 7 + 3 − 2 = 8          = 0.25      (below: not suggested)
    //   楼道灯不亮                0                          = 0
    [Fact]
    public async Task Suggestions_are_the_projects_last_30_days_at_or_above_the_threshold_most_similar_first_then_the_newest()
    {
        var tooOld = await _w.ComplaintAsync(Text);                       // 30 days and 1 second old when the agent types
        _s.Clock.Advance(TimeSpan.FromSeconds(1));
        var identical = await _w.ComplaintAsync(Text);                    // exactly 30 days old: still in the window
        var half = await Later("电梯经常困人物业不管");
        var olderFourNinths = await Later("电梯经常坏");
        var third = await Later("电梯困人");
        var atThreshold = await Later("电梯经修理");
        await Later("电梯");
        await Later("楼道灯不亮");
        var newerFourNinths = await Later("电梯经常坏");
        var merged = await Later(Text);
        await _w.Counting.MergeAsync(_w.Supervisor, half, merged);
        var elsewhere = await ElsewhereAsync(Text);
        _s.Clock.SetUtcNow(await Scalar<DateTimeOffset>("SELECT registered_at FROM complaints WHERE id = @identical", new { identical })
                           + CountingOptions.DuplicateWindow);

        var all = await SuggestAsync(_w.W.ProjectId, Text, take: 10);
        Assert.Equal([identical, half, newerFourNinths, olderFourNinths, third, atThreshold], all.Select(s => s.Id));
        Assert.Equal([1, 0.5, 4.0 / 9, 4.0 / 9, 1.0 / 3, 0.3], all.Select(s => Math.Round(s.Score, 6)), new RoundedTo6());
        Assert.DoesNotContain(tooOld, all.Select(s => s.Id));
        Assert.DoesNotContain(elsewhere, all.Select(s => s.Id));

        // Five at most, as the intake page asks; the same five the rule read literally gives.
        var five = await SuggestAsync(_w.W.ProjectId, Text);
        Assert.Equal([identical, half, newerFourNinths, olderFourNinths, third], five.Select(s => s.Id));
        Assert.Equal(five.Select(s => s.Id), await ReferenceAsync(_w.W.ProjectId, Text));

        // Undone, the merge gives the complaint back its own place among the suggestions.
        await _w.Counting.UnmergeAsync(_w.Supervisor, merged);
        Assert.Equal([merged, identical, half, newerFourNinths, olderFourNinths], (await SuggestAsync(_w.W.ProjectId, Text)).Select(s => s.Id));
    }

    [Fact]
    public async Task A_complaint_is_suggested_under_its_project_and_text_of_now_after_either_changes()
    {
        var id = await _w.ComplaintAsync("5号楼电梯经常困人，物业不管");
        var (otherProject, _) = await Build.ProjectWithUnitAsync(_s, "DUP" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal([id], (await SuggestAsync(_w.W.ProjectId, "5号楼电梯经常困人物业不管")).Select(s => s.Id));

        // Moved to another project (corrected at verification, say): suggested there, no longer in the old one.
        await _w.ExecuteAsync("UPDATE complaints SET project_id = @otherProject WHERE id = @id", new { id, otherProject });
        Assert.Empty(await SuggestAsync(_w.W.ProjectId, "5号楼电梯经常困人物业不管"));
        Assert.Equal([id], (await SuggestAsync(otherProject, "5号楼电梯经常困人物业不管")).Select(s => s.Id));

        // Destroyed (销档): the text is blanked, and so is the copy the suggestion reads.
        await _w.ExecuteAsync("UPDATE complaints SET content = '（已销档）' WHERE id = @id", new { id });
        Assert.Empty(await SuggestAsync(otherProject, "5号楼电梯经常困人物业不管"));
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM complaint_texts WHERE complaint_id = @id AND content LIKE '%电梯%'", new { id }));

        // Without a project there is nothing to suggest it under.
        await _w.ExecuteAsync("UPDATE complaints SET project_id = NULL, content = '5号楼电梯经常困人' WHERE id = @id", new { id });
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM complaint_texts WHERE complaint_id = @id", new { id }));
    }

    /// <summary>
    /// A GiST row holds at most 8,191 bytes and a text's trigrams take 3 bytes each: texts over 1,000 characters live outside the GiST
    /// index. 4,000 different characters (the intake limit) are 4,001 trigrams; registering them must work, and every length be found.
    /// </summary>
    [Fact]
    public async Task Complaints_of_1000_1001_and_4000_characters_are_registered_and_suggested_like_short_ones()
    {
        var text = string.Concat(Enumerable.Range(0, IntakeForm.ContentMax).Select(i => (char)(0x4E00 + i * 7919 % 20000)));
        var longest = await _w.ComplaintAsync(text);
        var atTheEdge = await Later(text[..1000]);
        var overTheEdge = await Later(text[..1001]);

        // 1,000 characters: 1,001 trigrams, all shared (1); 1,001 characters: 1,001 of 1,002 (0.999…); 4,000: 1,001 of 4,001 (0.25).
        Assert.Equal([atTheEdge, overTheEdge], (await SuggestAsync(_w.W.ProjectId, text[..1000])).Select(s => s.Id));
        Assert.Equal([longest], (await SuggestAsync(_w.W.ProjectId, "又" + text[1..])).Select(s => s.Id));
        Assert.Equal([longest], await ReferenceAsync(_w.W.ProjectId, "又" + text[1..]));
        Assert.Equal([atTheEdge, overTheEdge], await ReferenceAsync(_w.W.ProjectId, text[..1000]));
    }

    [Fact]
    public async Task A_database_default_for_the_trigram_threshold_changes_no_suggestion()
    {
        var half = await _w.ComplaintAsync("电梯经常困人物业不管");   // 0.5
        var third = await Later("电梯困人");                         // 0.333…
        var database = await Scalar<string>("SELECT current_database()");
        await _w.ExecuteAsync($"ALTER DATABASE \"{database}\" SET pg_trgm.similarity_threshold = 0.6");
        try
        {
            _w.DataSource.Clear(); // new sessions, which start with the database's 0.6
            Assert.Equal("0.6", await Scalar<string>("SELECT current_setting('pg_trgm.similarity_threshold')"));
            Assert.Equal([half, third], (await SuggestAsync(_w.W.ProjectId, Text)).Select(s => s.Id));
        }
        finally
        {
            await _w.ExecuteAsync($"ALTER DATABASE \"{database}\" RESET pg_trgm.similarity_threshold");
            _w.DataSource.Clear();
        }
    }

    /// <summary>
    /// 600 complaints built from common fragments (the benchmark's hard case in small) over two projects and 45 days, some merged;
    /// 80 look-ups (reworded texts of random complaints, in their project or the other): the app's suggestions are the rule's, one by one.
    /// </summary>
    [Fact]
    public async Task On_generated_data_the_suggestions_are_those_of_the_rule_read_literally()
    {
        var (otherProject, _) = await Build.ProjectWithUnitAsync(_s, "DUG" + Guid.NewGuid().ToString("N")[..6]);
        int[] projects = [_w.W.ProjectId, otherProject];
        var now = _s.Clock.GetUtcNow();
        await _w.ExecuteAsync("""
            WITH seed AS (
                SELECT g, (ARRAY[@a, @b])[1 + g % 2] AS project_id,
                       @now - make_interval(secs => (g * 6481) % (45 * 86400)) AS at,
                       (ARRAY['1号楼','2号楼','3号楼','5号楼'])[1 + (g * 7) % 4]
                       || (ARRAY['地下车库','电梯','屋顶','卫生间','楼道','单元门'])[1 + (g * 11) % 6]
                       || (ARRAY['漏水','噪音太大','经常停运','开裂','灯不亮','门禁坏了'])[1 + (g * 13) % 6]
                       || CASE WHEN g % 3 = 0 THEN '，' ELSE '' END
                       || (ARRAY['物业不管','多次报修无人处理','影响正常生活','要求尽快维修',''])[1 + (g * 17) % 5] AS content
                FROM generate_series(1, 600) g
            ), contact AS (
                INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, received_at, first_responder_id, created_at)
                SELECT 'DUG-' || @tag || '-' || g, 'phone', 'complaint', @customer, project_id, content, at, @agent, at FROM seed
                RETURNING id, register_no
            )
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, registered_by, registered_at, reply_due_at, updated_at)
            SELECT 'DUGF-' || @tag || '-' || s.g, ct.id, @customer, s.project_id, 'phone', s.content, @agent, s.at, s.at + interval '48 hours', s.at
            FROM seed s JOIN contact ct ON ct.register_no = 'DUG-' || @tag || '-' || s.g
            """, new { a = projects[0], b = projects[1], now, tag = Guid.NewGuid().ToString("N")[..8], customer = _w.W.CustomerId, agent = _w.W.Agent.Id });
        var merged = await _w.ExecuteAsync("""
            UPDATE complaints c SET merged_into_id = s.id, merged_at = c.registered_at
            FROM complaints s
            WHERE c.sheet_no LIKE 'DUGF-%' AND c.id % 19 = 0 AND s.id = c.id - 2 AND s.project_id = c.project_id AND c.project_id = ANY (@projects)
            """, new { projects });
        var rnd = new Random(14);
        await using var conn = await _w.DataSource.OpenConnectionAsync();
        var samples = (await conn.QueryAsync<(int ProjectId, string Content)>(
            "SELECT project_id, content FROM complaints WHERE project_id = ANY (@projects) ORDER BY id", new { projects })).ToList();

        var compared = 0;
        for (var i = 0; i < 80; i++)
        {
            var (project, content) = samples[rnd.Next(samples.Count)];
            var text = rnd.Next(3) switch { 0 => content.Replace("，", ""), 1 => content + "，请尽快处理", _ => "又" + content };
            var lookIn = i % 4 == 3 ? projects.Single(p => p != project) : project;
            var app = (await SuggestAsync(lookIn, text)).Select(s => s.Id).ToList();
            Assert.Equal(await ReferenceAsync(lookIn, text), app);
            compared += app.Count;
        }
        Assert.True(compared > 200, $"only {compared} suggestions compared");
        Assert.True(merged > 0);
    }

    private async Task<long> Later(string content)
    {
        _s.Clock.Advance(TimeSpan.FromHours(3));
        return await _w.ComplaintAsync(content);
    }

    /// <summary>The same text registered under another project.</summary>
    private async Task<long> ElsewhereAsync(string content)
    {
        var (_, otherUnit) = await Build.ProjectWithUnitAsync(_s, "DUP" + Guid.NewGuid().ToString("N")[..6]);
        var otherCustomer = await Build.CustomerAsync(_s, "李女士", "1360000" + Random.Shared.Next(1000, 9999), otherUnit);
        return (await _w.W.Intake.RegisterAsync(_w.W.Agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = otherCustomer, UnitId = otherUnit, Content = content,
        })).ComplaintId!.Value;
    }

    private Task<IReadOnlyList<DuplicateSuggestion>> SuggestAsync(int projectId, string text, int take = 5) =>
        _w.Counting.SuggestDuplicatesAsync(_w.W.Agent, projectId, text, _s.Clock.GetUtcNow(), take);

    private async Task<List<long>> ReferenceAsync(int projectId, string text, int take = 5)
    {
        await using var conn = await _w.DataSource.OpenConnectionAsync();
        var now = _s.Clock.GetUtcNow();
        return (await conn.QueryAsync<DuplicateSuggestion>(CountingRepository.DuplicatesReferenceSql, new
        {
            projectId, text, since = now - CountingOptions.DuplicateWindow, now, threshold = CountingOptions.DuplicateThreshold, take,
        })).Select(s => s.Id).ToList();
    }

    private sealed class RoundedTo6 : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-6;
        public int GetHashCode(double obj) => 0;
    }
}
