using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceHub.App;
using ServiceHub.Data.Infrastructure;
using ServiceHub.App.Reports;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Reports;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #14 point 5: the annual report's downloads for the demo year. Plays the demo company and its history (as the first
/// <c>./servicehub.sh run</c> does) into a fresh database, reads last year's report (produced by the history's yearly job) and writes its PDF
/// (zh-CN, with its charts) and Excel workbook <c>rounds</c> times; prints the sizes, the median times and the PDF's font file. Another font
/// (e.g. Noto Sans CJK, a CFF face embedded whole) is measured with <c>[font-path] [face-index]</c>. The files are kept in the output folder.
/// </summary>
public static class AnnualReportDocumentsBenchmark
{
    public static async Task<int> RunAsync(string cs, string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        if (args.Length > 1)
        {
            CjkFontResolver.Path = args[1];
            CjkFontResolver.FaceIndex = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        }
        await BenchDatabase.RecreateAsync(cs);
        var until = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        var clock = new FixedClock(until);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(cs);
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        await using var sp = services.BuildServiceProvider();
        var watch = Stopwatch.StartNew();
        await ActivatorUtilities.CreateInstance<DemoSeeder>(sp).SeedAsync();
        await new DemoHistory(cs, NullLogger.Instance).SeedAsync(until);
        Console.WriteLine($"demo company and history until {until:yyyy-MM-dd} in {watch.Elapsed.TotalSeconds:F0} s");

        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
        var l = sp.GetRequiredService<IStringLocalizer<SharedResource>>();
        var report = await sp.GetRequiredService<AnnualReportService>().GetAsync(new Actor(0, "bench", "bench", [Roles.Leadership], null), 2025)
                     ?? throw new InvalidOperationException("the demo history produced no report of 2025");
        var pdfTimes = new List<double>();
        var excelTimes = new List<double>();
        byte[] pdf = [], excel = [];
        for (var round = 0; round < rounds; round++)
        {
            watch.Restart();
            var sections = AnnualReportLayout.Sections(report.Content, l, english: false);
            pdf = AnnualReportPdf.Write(AnnualReportLayout.Title(l, 2025), AnnualReportLayout.Subtitle(l, report.Version), sections, l["AnnualReport.PageOf"]);
            pdfTimes.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            excel = AnnualReportWorkbook.Write(AnnualReportLayout.Sections(report.Content, l, english: false), l["AnnualReport.Numerator"], l["AnnualReport.Denominator"]);
            excelTimes.Add(watch.Elapsed.TotalMilliseconds);
            Console.WriteLine($"round {round + 1}: PDF {pdfTimes[^1]:F0} ms, Excel {excelTimes[^1]:F0} ms");
        }
        await File.WriteAllBytesAsync("annual-report-2025-demo.pdf", pdf);
        await File.WriteAllBytesAsync("annual-report-2025-demo.xlsx", excel);
        var charts = AnnualReportLayout.Sections(report.Content, l, english: false).Sum(s => s.ChartList.Count);
        Console.WriteLine($"font {CjkFontResolver.FontPath} ({(CjkFontResolver.Subsettable ? "TrueType, subset" : "CFF, embedded whole")})");
        Console.WriteLine($"PDF {pdf.Length:N0} bytes ({charts} charts), first {pdfTimes[0]:F0} ms (reads the font), median {Stats.Median(pdfTimes):F0} ms; " +
                          $"Excel {excel.Length:N0} bytes, median {Stats.Median(excelTimes):F0} ms; target PDF ≤ 1,000,000 bytes: {(pdf.Length <= 1_000_000 ? "met" : "NOT met")}");
        Console.WriteLine($"written: {Path.GetFullPath("annual-report-2025-demo.pdf")}, {Path.GetFullPath("annual-report-2025-demo.xlsx")}");
        return pdf.Length <= 1_000_000 ? 0 : 1;
    }
}
