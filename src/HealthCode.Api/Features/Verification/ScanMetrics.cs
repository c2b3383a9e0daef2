using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Ops;

namespace HealthCode.Api.Features.Verification;

/// <summary>
/// <c>healthcode_scans_total{outcome}</c>: codes verified at checkpoints, by outcome (<c>valid_green</c>, ... or the
/// error code). The outcome is the only label: never the checkpoint, the staff member or the code id.
/// </summary>
internal sealed class ScanMetrics
{
    private readonly Counter<long> scans;

    public ScanMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterPrefix + "Verification");
        scans = meter.CreateCounter<long>("healthcode.scans", description: "Codes verified at checkpoints, by outcome.");
    }

    /// <summary>On the scan path: one tag passed as a struct, no allocation.</summary>
    public void Count(string outcome) => scans.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
