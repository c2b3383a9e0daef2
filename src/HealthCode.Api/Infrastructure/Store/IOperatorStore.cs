namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Named operator accounts (DESIGN §10 "Named operators") and their bearer tokens, kept as SHA-256 hashes only. The
/// operator scheme reads an account here on every request, so a revocation holds at once on every instance that shares
/// the store.
/// </summary>
internal interface IOperatorStore
{
    Task CreateAsync(OperatorRecord account, CancellationToken cancellationToken);

    /// <summary>Every account, revoked and expired ones included, oldest first.</summary>
    Task<IReadOnlyList<OperatorRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the account's token at once (an earlier revocation keeps its time); false when there is no such account.</summary>
    Task<bool> RevokeAsync(string operatorId, DateTimeOffset at, CancellationToken cancellationToken);

    Task<OperatorRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);
}

/// <param name="Roles">Role names as <see cref="Auth.OperatorRoles"/> spells them (<c>admin</c>, <c>department:CDC</c>, ...).</param>
/// <param name="TokenHash"><see cref="Auth.Secrets.Hash"/> of the bearer token; the token itself is never stored.</param>
/// <param name="CreatedBy">The operator id of whoever created the account (<c>bootstrap</c> for the configured key).</param>
internal sealed record OperatorRecord(
    string Id,
    string Name,
    IReadOnlyList<string> Roles,
    string TokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string CreatedBy);
