using System.Diagnostics;

namespace HealthCode.Api.Tests.Fuzz;

/// <summary>What a fuzz run sent and got: answers by status, cases and time per endpoint, connections closed on a body past the cap.</summary>
internal sealed class FuzzTally(IReadOnlyList<FuzzEndpoint> endpoints)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly SortedDictionary<int, int> statuses = [];
    private readonly Dictionary<string, (int Cases, TimeSpan Time)> perEndpoint = endpoints.ToDictionary(e => e.Name, _ => (0, TimeSpan.Zero), StringComparer.Ordinal);
    private int sent;
    private int closedEarly;
    private int retried;

    public TimeSpan Elapsed => clock.Elapsed;

    public void Count(FuzzCase fuzz, int? status, TimeSpan took)
    {
        sent++;
        var (cases, time) = perEndpoint[fuzz.Endpoint];
        perEndpoint[fuzz.Endpoint] = (cases + 1, time + took);
        if (status is { } code)
        {
            statuses[code] = statuses.GetValueOrDefault(code) + 1;
        }
        else
        {
            closedEarly++;
        }
    }

    /// <summary>A case sent again on a new connection after its pooled one broke under it.</summary>
    public void Retried() => retried++;

    public IEnumerable<string> Unfuzzed() => perEndpoint.Where(p => p.Value.Cases == 0).Select(p => p.Key);

    public string Summary() =>
        $"{sent} requests to {perEndpoint.Count} endpoints in {clock.Elapsed.TotalSeconds:F1} s; answers " +
        $"{string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; connection closed without an answer: {closedEarly}; sent again on a new connection: {retried}";

    public string PerEndpoint() => "cases (seconds) per endpoint: " +
        string.Join(", ", perEndpoint.OrderByDescending(p => p.Value.Time).Select(p => $"{p.Key} {p.Value.Cases} ({p.Value.Time.TotalSeconds:F1})"));
}
