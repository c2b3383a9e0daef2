using System.Text.Json;
using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Named operator accounts, through Dapper, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class OperatorStore(IStoreDatabase database) : IOperatorStore
{
    private const string Columns = """
        id AS Id, name AS Name, roles AS Roles, token_hash AS TokenHash, created_at AS CreatedAt, expires_at AS ExpiresAt,
        revoked_at AS RevokedAt, created_by AS CreatedBy
        """;

    public async Task CreateAsync(OperatorRecord account, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO operators (id, name, roles, token_hash, created_at, expires_at, created_by)
            VALUES (@id, @name, @roles, @tokenHash, @createdAt, @expiresAt, @createdBy)
            """,
            new
            {
                id = account.Id,
                name = account.Name,
                roles = JsonSerializer.Serialize(account.Roles),
                tokenHash = account.TokenHash,
                createdAt = account.CreatedAt.ToUnixTimeMilliseconds(),
                expiresAt = account.ExpiresAt.ToUnixTimeMilliseconds(),
                createdBy = account.CreatedBy,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<OperatorRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM operators ORDER BY created_at, id", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<bool> RevokeAsync(string operatorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE operators SET revoked_at = coalesce(revoked_at, @at) WHERE id = @id",
            new { id = operatorId, at = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<OperatorRecord?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM operators WHERE token_hash = @tokenHash", new { tokenHash }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string Roles { get; init; } = "[]";

        public string TokenHash { get; init; } = "";

        public long CreatedAt { get; init; }

        public long ExpiresAt { get; init; }

        public long? RevokedAt { get; init; }

        public string CreatedBy { get; init; } = "";

        public OperatorRecord ToRecord() => new(
            Id,
            Name,
            JsonSerializer.Deserialize<string[]>(Roles) ?? [],
            TokenHash,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt),
            RevokedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            CreatedBy);
    }
}
