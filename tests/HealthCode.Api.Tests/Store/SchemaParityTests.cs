using System.Data.Common;
using Dapper;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Store.Postgres;
using HealthCode.Api.Tests.Support;
using Npgsql;

namespace HealthCode.Api.Tests.Store;

/// <summary>
/// One schema history on two engines (DESIGN §11): SQLite's numbered steps (with the scan audit's own file) and
/// PostgreSQL's scripts must build the same tables, columns and indexes. A step added to one history and not the other
/// fails here, which is how the two stay one.
/// </summary>
[TestFixture]
internal sealed class SchemaParityTests
{
    [Test]
    public async Task SqliteSteps_AndPostgresScripts_BuildTheSameTablesColumnsAndIndexes()
    {
        var folder = Directory.CreateTempSubdirectory("hc-parity-").FullName;
        try
        {
            var sqlite = await SqliteSchemaAsync(Path.Combine(folder, "hc.db"));
            var postgres = await PostgresSchemaAsync();

            Assert.That(sqlite.Columns, Has.Count.GreaterThan(150), "the query read SQLite's schema");
            Assert.Multiple(() =>
            {
                Assert.That(postgres.Columns, Is.EquivalentTo(sqlite.Columns), "tables and columns: name, type, nullability");
                Assert.That(postgres.Indexes, Is.EquivalentTo(sqlite.Indexes), "named indexes");
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task PostgresScripts_RunOnce_EvenWhenInstancesStartTogether()
    {
        var connectionString = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var first = new PostgresDatabase(connectionString);
        await using var second = new PostgresDatabase(connectionString);

        await Task.WhenAll(first.MigrateAsync(CancellationToken.None), second.MigrateAsync(CancellationToken.None));
        await first.MigrateAsync(CancellationToken.None);

        await using var connection = await first.OpenConnectionAsync(CancellationToken.None);
        var scripts = (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions")).ToList();
        var head = await connection.QuerySingleAsync<long>("SELECT count(*) FROM audit_head");
        Assert.Multiple(() =>
        {
            Assert.That(scripts, Is.Not.Empty.And.Unique);
            Assert.That(head, Is.EqualTo(1), "the audit head's genesis row was inserted once");
        });
    }

    private static async Task<Schema> SqliteSchemaAsync(string file)
    {
        using var store = new SqliteDatabase($"Data Source={file}");
        using var audit = new SqliteAuditDatabase(store);
        await store.MigrateAsync(CancellationToken.None);
        await audit.InitializeAsync(CancellationToken.None);
        var columns = new List<string>();
        var indexes = new List<string>();
        foreach (var database in new[] { store, audit.Database })
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            // A primary key is never NULL on either engine in practice; SQLite reports its columns nullable (a legacy quirk).
            columns.AddRange(await connection.QueryAsync<string>("""
                SELECT m.name || '.' || p.name || ' ' || upper(p.type) || CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN ' NOT NULL' ELSE '' END
                FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                """));
            indexes.AddRange(await connection.QueryAsync<string>(
                "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'"));
        }

        return new Schema(columns, indexes);
    }

    private static async Task<Schema> PostgresSchemaAsync()
    {
        await using var database = new PostgresDatabase(await PostgresServer.Shared.CreateDatabaseAsync());
        await database.MigrateAsync(CancellationToken.None);
        await using DbConnection connection = await database.OpenConnectionAsync(CancellationToken.None);
        var columns = await connection.QueryAsync<string>("""
            SELECT table_name || '.' || column_name || ' '
                   || CASE data_type WHEN 'bigint' THEN 'INTEGER' WHEN 'text' THEN 'TEXT' WHEN 'bytea' THEN 'BLOB' ELSE data_type END
                   || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schemaversions'
            """);
        // Indexes by name; those PostgreSQL makes for PRIMARY KEY and UNIQUE constraints are SQLite's autoindexes.
        var indexes = await connection.QueryAsync<string>("""
            SELECT i.tablename || '.' || i.indexname FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename <> 'schemaversions'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """);
        return new Schema([.. columns], [.. indexes]);
    }

    private sealed record Schema(List<string> Columns, List<string> Indexes);
}
