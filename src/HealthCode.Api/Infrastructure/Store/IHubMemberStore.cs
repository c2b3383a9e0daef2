using Microsoft.Data.Sqlite;

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

internal sealed class SqliteHubMemberStore(SqliteDatabase database) : IHubMemberStore
{
    public async Task<IReadOnlyList<HubMemberRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT iss, name, trust_list_url, root_key, status, added_at FROM hub_members ORDER BY iss";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var members = new List<HubMemberRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(new HubMemberRecord(
                reader.GetString(0), reader.GetString(1), new Uri(reader.GetString(2)), reader.GetString(3), reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return members;
    }

    public async Task UpsertAsync(HubMemberRecord member, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO hub_members (iss, name, trust_list_url, root_key, status, added_at) VALUES ($iss, $name, $url, $root, $status, $added)
            ON CONFLICT(iss) DO UPDATE SET name = excluded.name, trust_list_url = excluded.trust_list_url,
                root_key = excluded.root_key, status = excluded.status
            """;
        command.Parameters.AddWithValue("$iss", member.Issuer);
        command.Parameters.AddWithValue("$name", member.Name);
        command.Parameters.AddWithValue("$url", member.TrustListUrl.AbsoluteUri);
        command.Parameters.AddWithValue("$root", member.RootKeyJwk);
        command.Parameters.AddWithValue("$status", member.Status);
        command.Parameters.AddWithValue("$added", member.AddedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM hub_members WHERE iss = $iss";
        command.Parameters.AddWithValue("$iss", issuer);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}
