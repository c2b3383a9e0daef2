using System.Text.Json;
using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Departments and the sharing catalogue, through Dapper, on either engine (<see cref="IStoreDatabase"/>): the SQL is the same on both.</summary>
internal sealed class CatalogStore(IStoreDatabase database) : ICatalogStore
{
    private const string DepartmentColumns = "code AS Code, name AS Name, key_jwk AS KeyJwk, kid AS Kid, added_at AS AddedAt";

    private const string EntryColumns = """
        code AS Code, name AS Name, provider AS Provider, summary AS Summary, kind AS Kind, items AS Items, sharing AS Sharing,
        update_cycle AS UpdateCycle, legal_basis AS LegalBasis, purpose AS Purpose, retention_days AS RetentionDays,
        published_at AS PublishedAt, last_batch_at AS LastBatchAt, rows AS Rows
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<DepartmentRecord?> FindDepartmentAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DepartmentRow>(new CommandDefinition(
            $"SELECT {DepartmentColumns} FROM departments WHERE code = @code", new { code }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<DepartmentRecord>> ListDepartmentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DepartmentRow>(new CommandDefinition(
            $"SELECT {DepartmentColumns} FROM departments ORDER BY code", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task SaveDepartmentAsync(DepartmentRecord department, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO departments (code, name, key_jwk, kid, added_at) VALUES (@code, @name, @keyJwk, @kid, @addedAt)
            ON CONFLICT(code) DO UPDATE SET name = excluded.name, key_jwk = excluded.key_jwk, kid = excluded.kid
            """,
            new { code = department.Code, name = department.Name, keyJwk = department.KeyJwk, kid = department.Kid, addedAt = department.AddedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    public async Task<CatalogEntry?> FindEntryAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM catalog WHERE code = @code", new { code }, cancellationToken: cancellationToken));
        return row?.ToEntry();
    }

    public async Task<IReadOnlyList<CatalogEntry>> ListEntriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(
            $"SELECT {EntryColumns} FROM catalog ORDER BY code", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEntry())];
    }

    public async Task<bool> AddEntryAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO catalog (code, name, provider, summary, kind, items, sharing, update_cycle, legal_basis, purpose, retention_days, published_at, rows)
            VALUES (@code, @name, @provider, @summary, @kind, @items, @sharing, @updateCycle, @legalBasis, @purpose, @retentionDays, @publishedAt, 0)
            ON CONFLICT(code) DO NOTHING
            """,
            Parameters(entry), cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> UpdateEntryAsync(CatalogEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE catalog SET name = @name, provider = @provider, summary = @summary, kind = @kind, items = @items, sharing = @sharing,
                update_cycle = @updateCycle, legal_basis = @legalBasis, purpose = @purpose, retention_days = @retentionDays, published_at = @publishedAt
            WHERE code = @code
            """,
            Parameters(entry), cancellationToken: cancellationToken)) == 1;
    }

    private static object Parameters(CatalogEntry entry) => new
    {
        code = entry.Code,
        name = entry.Name,
        provider = entry.Provider,
        summary = entry.Summary,
        kind = entry.Kind,
        items = JsonSerializer.Serialize(entry.Items, Json),
        sharing = JsonSerializer.Serialize(entry.Sharing, Json),
        updateCycle = entry.UpdateCycle,
        legalBasis = entry.LegalBasis,
        purpose = entry.Purpose,
        retentionDays = entry.RetentionDays,
        publishedAt = entry.PublishedAt.ToUnixTimeMilliseconds(),
    };

    private sealed class DepartmentRow
    {
        public string Code { get; init; } = "";

        public string Name { get; init; } = "";

        public string KeyJwk { get; init; } = "";

        public string Kid { get; init; } = "";

        public long AddedAt { get; init; }

        public DepartmentRecord ToRecord() => new(Code, Name, KeyJwk, Kid, DateTimeOffset.FromUnixTimeMilliseconds(AddedAt));
    }

    private sealed class EntryRow
    {
        public string Code { get; init; } = "";

        public string Name { get; init; } = "";

        public string Provider { get; init; } = "";

        public string Summary { get; init; } = "";

        public string Kind { get; init; } = "";

        public string Items { get; init; } = "[]";

        public string Sharing { get; init; } = "{}";

        public string UpdateCycle { get; init; } = "";

        public string LegalBasis { get; init; } = "";

        public string Purpose { get; init; } = "";

        public long RetentionDays { get; init; }

        public long PublishedAt { get; init; }

        public long? LastBatchAt { get; init; }

        public long Rows { get; init; }

        public CatalogEntry ToEntry() => new(
            Code,
            Name,
            Provider,
            Summary,
            Kind,
            JsonSerializer.Deserialize<CatalogItem[]>(Items, Json) ?? [],
            JsonSerializer.Deserialize<CatalogSharing>(Sharing, Json) ?? new CatalogSharing("none", null, "batch"),
            UpdateCycle,
            LegalBasis,
            Purpose,
            (int)RetentionDays,
            DateTimeOffset.FromUnixTimeMilliseconds(PublishedAt),
            LastBatchAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            Rows);
    }
}
