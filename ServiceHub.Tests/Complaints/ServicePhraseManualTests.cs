using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Intake;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The manual's service phrases (DOMAIN.md §9, issue #11 point 13), word for word in Simplified Chinese, each under its situation. The
/// quotations below are the manual's own text (Traditional Chinese, its punctuation), converted character by character.
/// </summary>
public sealed class ServicePhraseManualTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    private IntakeRepository Intake => _s.Get<IntakeRepository>();

    /// <summary>The manual's standard phrases, in its words, under the situation it names (前台或热线接待员).</summary>
    private static readonly (string Situation, string ManualHeading, string[] Phrases)[] Manual =
    [
        ("greeting", "接通后立即應答", ["您好,有什么需要幫助?"]),
        ("waiting", "客戶的問題不能立即答復時", ["我們會將您反映的問題與相關部門聯系,請您留下聯系電話,我們將盡快給您答復。"]),
        ("calming", "客戶非常著急、態度惡劣時", ["請您別著急,慢慢講(想),我們會盡力幫您解決。"]),
        ("not_pursuing", "客戶對問題答復或解決不太滿意但不再追究時", ["謝謝您的理解與支持,我們將不斷改進服務,讓您滿意。"]),
        ("thanks", "如客戶說謝謝", ["不客氣,再見。"]),
        ("closing", "在一項接待事項結束時", ["請問您還有什麼需要幫助?"]),
        ("polite", "使用文明禮貌用語", ["請講", "歡迎再次撥打", "再見", "請問您需要什么幫助?", "對不起", "對不起,請稍等。", "請多提寶貴意見。"]),
    ];

    /// <summary>The manual's forbidden phrases (服务忌语), as it lists them.</summary>
    private static readonly string[] ManualForbidden = ["你不是說 XX 嗎?", "不是告訴你了,怎么還不明白?", "大點聲,聽不見!", "不是我辦的,不知道,不清楚。"];

    private const string Traditional = "幫們會將問題與關門聯請電話盡給復別著講決謝進務讓滿氣見還麼歡撥對寶貴斷說嗎訴點聲聽辦";
    private const string Simplified = "帮们会将问题与关门联请电话尽给复别着讲决谢进务让满气见还么欢拨对宝贵断说吗诉点声听办";

    /// <summary>Traditional → Simplified for the characters of these phrases; the manual's half-width punctuation → the full-width of Chinese text.</summary>
    private static string ToSimplified(string manual) => string.Concat(manual.Where(c => c != ' ').Select(c => c switch
    {
        ',' => '，', '?' => '？', '!' => '！', '(' => '（', ')' => '）',
        _ when Traditional.IndexOf(c) is var i and >= 0 => Simplified[i],
        _ => c,
    }));

    [Fact]
    public async Task The_stored_standard_phrases_are_the_manuals_word_for_word_under_its_situations_in_the_order_of_a_call()
    {
        var stored = (await Intake.PhrasesAsync())
            .Where(p => p.Kind == ServicePhrases.Standard).ToList();
        var expected = Manual.SelectMany(m => m.Phrases.Select(p => (m.Situation, ToSimplified(p)))).ToList();
        Assert.Equal(expected, stored.Select(p => (p.Situation, p.Text)).ToList());
        Assert.Equal("您好，有什么需要帮助？", stored[0].Text);
        Assert.Equal("请您别着急，慢慢讲（想），我们会尽力帮您解决。", stored.Single(p => p.Situation == "calming").Text);
    }

    [Fact]
    public async Task The_manuals_forbidden_phrases_are_kept_as_it_lists_them()
    {
        var forbidden = (await Intake.PhrasesAsync())
            .Where(p => p.Kind == ServicePhrases.Forbidden).Select(p => p.Text).ToList();
        Assert.Equal(ManualForbidden.Select(ToSimplified), forbidden.Take(4));
    }

    [Fact]
    public void Every_quotation_here_is_the_manuals_own_text_where_the_manual_is_at_hand()
    {
        // The manual sits beside the repositories (../shared/source); a checkout without it still runs the comparisons above.
        if (ManualText() is not { } manual) return;
        foreach (var (_, heading, phrases) in Manual)
        {
            Assert.Contains(heading, manual);
            foreach (var p in phrases) Assert.Contains(p, manual);
        }
        foreach (var p in ManualForbidden) Assert.Contains(p, manual);
    }

    [Fact]
    public async Task The_intake_form_shows_each_phrase_under_its_situation_in_the_manuals_order()
    {
        await using var ctx = Page("zh-CN", "agent", Roles.Agent, "王丽");
        var page = ctx.Render<IntakePage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=intake-phrase-situation-polite]")));
        var headings = page.FindAll("[data-testid^=intake-phrase-situation-]").Select(h => h.GetAttribute("data-testid")!["intake-phrase-situation-".Length..]).ToList();
        Assert.Equal(Manual.Select(m => m.Situation), headings);
        Assert.Equal("客户非常着急、态度恶劣时", page.Find("[data-testid=intake-phrase-situation-calming]").TextContent.Trim());
        var panel = page.Find("[data-testid=intake-phrases]").TextContent;
        Assert.Contains("不客气，再见。", panel);
        Assert.Contains("谢谢您的理解与支持，我们将不断改进服务，让您满意。", panel);
        Assert.DoesNotContain("感谢您的来电", panel);
    }

    [Fact]
    public async Task The_phrases_page_groups_the_phrases_by_kind_and_situation_in_english()
    {
        await using var ctx = Page("en", "supervisor", Roles.CsSupervisor, "陈静");
        var page = ctx.Render<PhrasesPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=phrase-group-standard-thanks]")));
        Assert.Contains("When the customer says thanks", page.Find("[data-testid=phrase-group-standard-thanks]").TextContent);
        Assert.Equal("不客气，再见。", page.Find("[data-testid=phrase-standard-thanks]").TextContent.Trim());
        Assert.Equal(7, page.FindAll("[data-testid=phrase-standard-polite]").Count);
        Assert.NotNull(page.Find("[data-testid=phrase-group-forbidden-general]"));
    }

    [Fact]
    public async Task A_phrase_longer_than_200_characters_or_under_an_unknown_situation_is_refused_at_its_field()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Intake.SavePhraseAsync(Actor.System, null, ServicePhrases.Standard, "weather", new string('请', 201), true, 99));
        Assert.Equal(("Validation.Required", "Validation.TooLong"), (ex.Errors["Situation"].Code, ex.Errors["Text"].Code));
    }

    private BunitContext Page(string culture, string user, string role, string name) => BunitSetup.Create(culture, s => s.AddData(Db.ConnectionString), a => a.SetAuthorized(user).SetRoles(role).SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(AppClaims.DisplayName, name)));

    /// <summary>The manual, looked for beside the repository (…/shared/source), or null.</summary>
    private static string? ManualText()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "source", "customer-service-manual.zh-Hant.txt");
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        return null;
    }
}
