namespace HealthCode.Api.Infrastructure.Store;

/// <summary>A bilateral partner an operator registered: whose list to fetch and which root it must be signed by.</summary>
internal sealed record PartnerRecord(string Issuer, string Name, Uri TrustListUrl, string RootKeyJwk, DateTimeOffset AddedAt);

internal interface IPartnerStore
{
    Task<IReadOnlyList<PartnerRecord>> ListAsync(CancellationToken cancellationToken);

    Task<PartnerRecord?> FindAsync(string issuer, CancellationToken cancellationToken);

    Task UpsertAsync(PartnerRecord partner, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken);
}
