namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Checkpoint staff and their bearer tokens (kept as SHA-256 hashes only).</summary>
internal interface IStaffStore
{
    Task CreateAsync(StaffRecord staff, CancellationToken cancellationToken);

    /// <summary>Revokes the staff member's token at once; false when there is no such staff member.</summary>
    Task<bool> RevokeAsync(string staffId, DateTimeOffset at, CancellationToken cancellationToken);

    Task<StaffRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);
}

internal sealed record StaffRecord(
    string Id,
    string Name,
    string CheckpointId,
    string TokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt);
