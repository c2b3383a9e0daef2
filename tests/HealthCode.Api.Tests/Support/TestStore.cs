using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Store.Postgres;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A fresh, migrated store database of a test's own on the engine it names: a SQLite file in a temporary folder, or a new
/// database on the tests' PostgreSQL (<see cref="PostgresServer"/>). The store tests run once per engine with it.
/// </summary>
internal sealed class TestStore : IAsyncDisposable
{
    private readonly string? folder;

    private TestStore(IStoreDatabase database, string? folder)
    {
        Database = database;
        this.folder = folder;
    }

    public IStoreDatabase Database { get; }

    public static async Task<TestStore> CreateAsync(StoreEngine engine, CancellationToken cancellationToken = default)
    {
        if (engine == StoreEngine.Postgres)
        {
            var postgres = new PostgresDatabase(await PostgresServer.Shared.CreateDatabaseAsync(cancellationToken));
            await postgres.MigrateAsync(cancellationToken);
            return new TestStore(postgres, null);
        }

        var folder = Directory.CreateTempSubdirectory("hc-store-").FullName;
        var sqlite = new SqliteDatabase($"Data Source={Path.Combine(folder, "hc.db")}");
        await sqlite.MigrateAsync(cancellationToken);
        return new TestStore(sqlite, folder);
    }

    public async ValueTask DisposeAsync()
    {
        switch (Database)
        {
            case PostgresDatabase postgres:
                await postgres.DisposeAsync();
                break;
            case SqliteDatabase sqlite:
                sqlite.Dispose();
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder!, recursive: true);
                break;
        }
    }
}
