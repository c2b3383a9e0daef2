using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// How fresh an entry's data is (DESIGN §9: the catalogue shows "how fresh it is"; the 2020 article asks that it be
/// published whether "数据更新是否及时"). An entry is <see cref="Late"/> once its data is older than its update cycle:
/// no batch yet (late from <c>publishedAt</c>: the catalogue promised data it does not have), or the last batch
/// more than one cycle ago (late from <c>lastBatchAt + updateCycle</c>).
/// </summary>
/// <param name="Late">Past its due time. Never for an entry shared with nobody (<c>sharing.type</c> <c>none</c>):
/// no batch is expected of it.</param>
/// <param name="LateSince">When it became late; null when it is not.</param>
/// <param name="Age">How old its data is (now - <c>lastBatchAt</c>); null before its first batch.</param>
/// <param name="Cycle">Its update cycle; null when the stored text does not parse (then it counts as late: nothing
/// shows that it is on time).</param>
internal readonly record struct CatalogFreshness(bool Late, DateTimeOffset? LateSince, TimeSpan? Age, TimeSpan? Cycle)
{
    public static CatalogFreshness Of(CatalogEntry entry, DateTimeOffset now)
    {
        var age = entry.LastBatchAt is { } last ? now - last : (TimeSpan?)null;
        var cycle = UpdateCycles.Of(entry.UpdateCycle);
        if (entry.Sharing.Type == CatalogVocabulary.SharingNone)
        {
            return new(false, null, age, cycle);
        }

        var due = (entry.LastBatchAt, cycle) switch
        {
            (null, _) => entry.PublishedAt,
            // lastBatchAt is the service's own clock; the guard only keeps a row written around the API from throwing.
            ({ } at, { } every) => at <= DateTimeOffset.MaxValue - every ? at + every : DateTimeOffset.MaxValue,
            ({ } at, null) => at,
        };
        // Without a batch, late from the moment of publication; with one, once it is more than a cycle old.
        var late = entry.LastBatchAt is null ? now >= due : now > due;
        return late ? new(true, due, age, cycle) : new(false, null, age, cycle);
    }
}
