using System.Collections.Concurrent;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Benchmarks;

/// <summary>
/// The registered partners, held in memory: the refresh benchmark measures fetching and verifying lists, and
/// <see cref="Api.Infrastructure.Federation.PartnerTrust"/> reads this store only when it starts, never during a round.
/// </summary>
internal sealed class InMemoryPartnerStore(IEnumerable<PartnerRecord> partners) : IPartnerStore
{
    private readonly ConcurrentDictionary<string, PartnerRecord> partners =
        new(partners.Select(p => KeyValuePair.Create(p.Issuer, p)), StringComparer.Ordinal);

    public Task<IReadOnlyList<PartnerRecord>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PartnerRecord>>([.. partners.Values.OrderBy(p => p.Issuer, StringComparer.Ordinal)]);

    public Task<PartnerRecord?> FindAsync(string issuer, CancellationToken cancellationToken) =>
        Task.FromResult(partners.GetValueOrDefault(issuer));

    public Task UpsertAsync(PartnerRecord partner, CancellationToken cancellationToken)
    {
        partners[partner.Issuer] = partner;
        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken) =>
        Task.FromResult(partners.TryRemove(issuer, out _));
}
