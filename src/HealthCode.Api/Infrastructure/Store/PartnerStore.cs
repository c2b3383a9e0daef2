using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Bilateral partners, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class PartnerStore(IStoreDatabase database) : IPartnerStore
{
    private const string Columns = "iss AS Issuer, name AS Name, trust_list_url AS TrustListUrl, root_key AS RootKey, added_at AS AddedAt";

    public async Task<IReadOnlyList<PartnerRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM partners ORDER BY iss", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<PartnerRecord?> FindAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM partners WHERE iss = @issuer", new { issuer }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task UpsertAsync(PartnerRecord partner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO partners (iss, name, trust_list_url, root_key, added_at) VALUES (@iss, @name, @url, @root, @added)
            ON CONFLICT(iss) DO UPDATE SET name = excluded.name, trust_list_url = excluded.trust_list_url, root_key = excluded.root_key
            """,
            new
            {
                iss = partner.Issuer,
                name = partner.Name,
                url = partner.TrustListUrl.AbsoluteUri,
                root = partner.RootKeyJwk,
                added = partner.AddedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM partners WHERE iss = @issuer", new { issuer }, cancellationToken: cancellationToken)) > 0;
    }

    private sealed class Row
    {
        public string Issuer { get; init; } = "";

        public string Name { get; init; } = "";

        public string TrustListUrl { get; init; } = "";

        public string RootKey { get; init; } = "";

        public long AddedAt { get; init; }

        public PartnerRecord ToRecord() => new(Issuer, Name, new Uri(TrustListUrl), RootKey, DateTimeOffset.FromUnixTimeMilliseconds(AddedAt));
    }
}
