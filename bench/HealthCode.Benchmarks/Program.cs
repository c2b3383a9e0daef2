using HealthCode.Benchmarks;

// Runs every benchmark and writes docs/PERFORMANCE.md; any arguments go to BenchmarkDotNet instead
// (e.g. --filter '*Verify*'), which then writes only its own reports.
return args.Length == 0 ? PerformanceReport.RunAll() : BenchmarkSwitch.Run(args);
