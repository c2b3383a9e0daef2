using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HealthCode.Api.Infrastructure.Qr;

namespace HealthCode.Benchmarks;

internal static class BenchmarkSwitch
{
    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkSwitch).Assembly).Run(args);
        return 0;
    }
}

/// <summary>
/// Runs each benchmark class once and writes its figures as ratios against the baseline measured
/// in the same run, so the numbers mean something on a noisy shared machine.
/// </summary>
internal static class PerformanceReport
{
    private static readonly (Type Type, string Title, string Note)[] Suites =
    [
        (typeof(SigningBenchmarks), "Signing a code", "Baseline: a bare ES256 `ECDsa.SignData` over the same signing input (P1363)."),
        (typeof(VerifyBenchmarks), "Verifying a code", "Baseline: a bare ES256 `ECDsa.VerifyData` over the same bytes. Goal: our verify at ≥ 90% of the raw rate, i.e. a time ratio ≤ 1.11."),
        (typeof(QrRenderBenchmarks), "Rendering the QR", "Baseline: QRCoder's encoding of the same text into modules, without an image."),
        (typeof(ScoringBenchmarks), "Scoring a declaration", "Baseline: deserializing the same declaration from JSON."),
    ];

    public static int RunAll()
    {
        var config = DefaultConfig.Instance
            // In process: the numbers are ratios within one run, and the benchmarks measure the build
            // that was just made instead of rebuilding the whole solution once per class.
            .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(12).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summaries = Suites.Select(s => (s, BenchmarkRunner.Run(s.Type, config))).ToList();

        var report = new StringBuilder();
        report.AppendLine("# Performance")
            .AppendLine()
            .AppendLine("Written by `dotnet run -c Release --project bench/HealthCode.Benchmarks` (BenchmarkDotNet 0.15.8, in process, 12 iterations after 3 warm-ups).")
            .AppendLine("Each figure stands beside a baseline measured in the same run on the same machine; read the ratios, not the absolute times:")
            .AppendLine("these are shared 2-core machines. Tests never assert timings.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}.")
            .AppendLine();

        var qr = Samples.TypicalQrText();
        using (var data = QrRenderer.Encode(qr))
        {
            report.AppendLine("## QR size")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"A typical code (masked name `张*艺`, tail `123X`, 16-character code id, issuer 410000) is {qr.Length} characters of QR text")
                .AppendLine(CultureInfo.InvariantCulture, $"(`HC1:/` + 2 digits per JWS character), which QRCoder encodes as **QR version {data.Version} at error correction M** (the limit is 12).")
                .AppendLine();
        }

        foreach (var ((_, title, note), summary) in summaries)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine().AppendLine(note).AppendLine()
                .AppendLine("| benchmark | mean | ratio to baseline | rate per second | allocated |")
                .AppendLine("|---|---:|---:|---:|---:|");
            var baseline = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
            foreach (var r in summary.Reports)
            {
                report.AppendLine(Row(r, baseline));
            }

            report.AppendLine();
        }

        var path = Path.Combine(Samples.RepoRoot, "docs", "PERFORMANCE.md");
        File.WriteAllText(path, report.ToString());
        Console.WriteLine($"Wrote {path}");
        return summaries.All(s => s.Item2.Reports.All(r => r.Success)) ? 0 : 1;
    }

    private static string Row(BenchmarkReport r, BenchmarkReport? baseline)
    {
        var name = r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
        if (r.ResultStatistics is not { } stats)
        {
            return $"| {name} | failed | | | |";
        }

        var ratio = baseline?.ResultStatistics is { } b ? (stats.Mean / b.Mean).ToString("F2", CultureInfo.InvariantCulture) : "";
        var allocated = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) is long bytes ? $"{bytes:N0} B" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Format(stats.Mean)} | {ratio} | {1e9 / stats.Mean:N0} | {allocated} |");
    }

    private static string Format(double nanoseconds) => nanoseconds switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:F2} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:F2} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:F0} ns"),
    };
}
