using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>A member province of the federation, as the hub's operators registered it.</summary>
internal sealed record HubMemberRecord(string Issuer, string Name, Uri TrustListUrl, string RootKeyJwk, string Status, DateTimeOffset AddedAt);

/// <summary>The hub's member registry (hub mode only).</summary>
internal interface IHubMemberStore
{
    Task<IReadOnlyList<HubMemberRecord>> ListAsync(CancellationToken cancellationToken);

    Task UpsertAsync(HubMemberRecord member, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken);
}

/// <summary>The hub's member registry, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class HubMemberStore(IStoreDatabase database) : IHubMemberStore
{
    public async Task<IReadOnlyList<HubMemberRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT iss AS Issuer, name AS Name, trust_list_url AS TrustListUrl, root_key AS RootKey, status AS Status, added_at AS AddedAt
            FROM hub_members ORDER BY iss
            """,
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new HubMemberRecord(
            r.Issuer, r.Name, new Uri(r.TrustListUrl), r.RootKey, r.Status, DateTimeOffset.FromUnixTimeMilliseconds(r.AddedAt)))];
    }

    public async Task UpsertAsync(HubMemberRecord member, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO hub_members (iss, name, trust_list_url, root_key, status, added_at) VALUES (@iss, @name, @url, @root, @status, @added)
            ON CONFLICT(iss) DO UPDATE SET name = excluded.name, trust_list_url = excluded.trust_list_url,
                root_key = excluded.root_key, status = excluded.status
            """,
            new
            {
                iss = member.Issuer,
                name = member.Name,
                url = member.TrustListUrl.AbsoluteUri,
                root = member.RootKeyJwk,
                status = member.Status,
                added = member.AddedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM hub_members WHERE iss = @issuer", new { issuer }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed class Row
    {
        public string Issuer { get; init; } = "";

        public string Name { get; init; } = "";

        public string TrustListUrl { get; init; } = "";

        public string RootKey { get; init; } = "";

        public string Status { get; init; } = "";

        public long AddedAt { get; init; }
    }
}
