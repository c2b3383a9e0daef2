using HealthCode.Benchmarks;

// Runs every benchmark and writes docs/PERFORMANCE.md; `rescoring` runs the re-scoring harness (RescoringHarness: with
// and without the data-use log, side by side); any other arguments go to BenchmarkDotNet instead (e.g. --filter
// '*Verify*'), which then writes only its own reports.
return args switch
{
    [] => PerformanceReport.RunAll(),
    ["rescoring", .. var rest] => await RescoringHarness.RunAsync(rest),
    _ => BenchmarkSwitch.Run(args),
};
