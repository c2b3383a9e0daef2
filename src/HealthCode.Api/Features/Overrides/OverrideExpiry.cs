using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Overrides;

/// <summary>
/// Ends the overrides whose until date has passed (DESIGN §10: after it the scored colour returns). Each person is
/// re-scored first (any scoring already ignores an override past its date) and the override marked expired after, so
/// a run cut off part-way leaves the rest to the next one. Runs every <see cref="OverridesModule.ExpireEvery"/>.
/// </summary>
internal sealed class OverrideExpiry(IOverrideStore overrides, PersonRescoring rescoring, TimeProvider time)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var (overrideId, personId) in await overrides.LapsedAsync(time.Today(), cancellationToken))
        {
            await rescoring.RescoreAsync(personId, cancellationToken);
            await overrides.MarkExpiredAsync(overrideId, cancellationToken);
        }
    }
}
