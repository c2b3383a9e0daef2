using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Ops;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// The departments' batches (DESIGN §9), labelled by the catalogue entry's public code (<c>source</c>):
/// <c>healthcode_batches_total{source, outcome}</c> counts batches finished, <c>applied</c> or the reason they were
/// rejected (<c>row_errors</c>, <c>row_count_mismatch</c>, <c>body_too_large</c>, ...), and
/// <c>healthcode_batch_rows_applied_total</c> / <c>_rejected_total</c> their rows. A batch seen again (the same
/// batchId) is not counted twice.
/// </summary>
internal sealed class BatchMetrics
{
    private readonly Counter<long> batches;
    private readonly Counter<long> rowsApplied;
    private readonly Counter<long> rowsRejected;

    public BatchMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterPrefix + "Sharing");
        batches = meter.CreateCounter<long>("healthcode.batches", description: "Batches finished, by source and outcome (applied or the reason for rejecting it).");
        rowsApplied = meter.CreateCounter<long>("healthcode.batch.rows_applied", description: "Rows of batches written to the shared facts, by source.");
        rowsRejected = meter.CreateCounter<long>("healthcode.batch.rows_rejected", description: "Rows with errors in rejected batches, by source.");
    }

    public void Applied(string source) => batches.Add(1, Source(source), new("outcome", "applied"));

    public void Rejected(string source, string reason, long rows)
    {
        batches.Add(1, Source(source), new("outcome", reason));
        if (rows > 0)
        {
            rowsRejected.Add(rows, Source(source));
        }
    }

    public void RowsApplied(string source, long rows) => rowsApplied.Add(rows, Source(source));

    private static KeyValuePair<string, object?> Source(string source) => new("source", source);
}
