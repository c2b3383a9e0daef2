using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Checkpoint staff, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class StaffStore(IStoreDatabase database) : IStaffStore
{
    public async Task CreateAsync(StaffRecord staff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO staff (id, name, checkpoint_id, token_hash, created_at, expires_at)
            VALUES (@id, @name, @checkpoint, @hash, @created, @expires)
            """,
            new
            {
                id = staff.Id,
                name = staff.Name,
                checkpoint = staff.CheckpointId,
                hash = staff.TokenHash,
                created = staff.CreatedAt.ToUnixTimeMilliseconds(),
                expires = staff.ExpiresAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> RevokeAsync(string staffId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE staff SET revoked_at = coalesce(revoked_at, @at) WHERE id = @id",
            new { id = staffId, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<StaffRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT id AS Id, name AS Name, checkpoint_id AS CheckpointId, token_hash AS TokenHash, created_at AS CreatedAt,
                   expires_at AS ExpiresAt, revoked_at AS RevokedAt
            FROM staff WHERE token_hash = @tokenHash
            """,
            new { tokenHash },
            cancellationToken: cancellationToken));
        return row is null
            ? null
            : new StaffRecord(
                row.Id,
                row.Name,
                row.CheckpointId,
                row.TokenHash,
                DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
                DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt),
                row.RevokedAt is { } revoked ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string CheckpointId { get; init; } = "";

        public string TokenHash { get; init; } = "";

        public long CreatedAt { get; init; }

        public long ExpiresAt { get; init; }

        public long? RevokedAt { get; init; }
    }
}
