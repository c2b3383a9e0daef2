using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

internal sealed class SqlitePartnerStore(SqliteDatabase database) : IPartnerStore
{
    private const string Columns = "iss, name, trust_list_url, root_key, added_at";

    public async Task<IReadOnlyList<PartnerRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM partners ORDER BY iss";
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<PartnerRecord?> FindAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM partners WHERE iss = $iss";
        command.Parameters.AddWithValue("$iss", issuer);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task UpsertAsync(PartnerRecord partner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO partners ({Columns}) VALUES ($iss, $name, $url, $root, $added)
            ON CONFLICT(iss) DO UPDATE SET name = excluded.name, trust_list_url = excluded.trust_list_url, root_key = excluded.root_key
            """;
        command.Parameters.AddWithValue("$iss", partner.Issuer);
        command.Parameters.AddWithValue("$name", partner.Name);
        command.Parameters.AddWithValue("$url", partner.TrustListUrl.AbsoluteUri);
        command.Parameters.AddWithValue("$root", partner.RootKeyJwk);
        command.Parameters.AddWithValue("$added", partner.AddedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM partners WHERE iss = $iss";
        command.Parameters.AddWithValue("$iss", issuer);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static async Task<IReadOnlyList<PartnerRecord>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partners = new List<PartnerRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            partners.Add(new PartnerRecord(
                reader.GetString(0),
                reader.GetString(1),
                new Uri(reader.GetString(2)),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return partners;
    }
}
