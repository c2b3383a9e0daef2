using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

internal sealed class SqliteStaffStore(SqliteDatabase database) : IStaffStore
{
    public async Task CreateAsync(StaffRecord staff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO staff (id, name, checkpoint_id, token_hash, created_at, expires_at)
            VALUES ($id, $name, $checkpoint, $hash, $created, $expires)
            """;
        command.Parameters.AddWithValue("$id", staff.Id);
        command.Parameters.AddWithValue("$name", staff.Name);
        command.Parameters.AddWithValue("$checkpoint", staff.CheckpointId);
        command.Parameters.AddWithValue("$hash", staff.TokenHash);
        command.Parameters.AddWithValue("$created", staff.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", staff.ExpiresAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(string staffId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE staff SET revoked_at = coalesce(revoked_at, $at) WHERE id = $id";
        command.Parameters.AddWithValue("$id", staffId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<StaffRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, name, checkpoint_id, token_hash, created_at, expires_at, revoked_at
            FROM staff WHERE token_hash = $hash
            """;
        command.Parameters.AddWithValue("$hash", tokenHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StaffRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)));
    }
}
