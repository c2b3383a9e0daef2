using System.Data.Common;
using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace HealthCode.Api.Infrastructure.Store.Postgres;

/// <summary>
/// The store on a PostgreSQL server (DESIGN §11), for several instances of one province sharing it. One
/// <see cref="NpgsqlDataSource"/> per process holds Npgsql's connection pool. The schema moves forward by the numbered
/// scripts beside this file (<c>0001_schema.sql</c>, ...), embedded in the assembly and run by DbUp at start; DbUp
/// records each script it ran in <c>schemaversions</c>, so a script runs once per database.
/// </summary>
internal sealed class PostgresDatabase(string connectionString) : IStoreDatabase, IAsyncDisposable, IDisposable
{
    /// <summary>The advisory lock instances starting together take around the migration, so one runs each script and the others wait for it.</summary>
    private const long MigrationLock = 0x4843_4d49_4752_4154; // "HCMIGRAT"

    private const string ScriptPrefix = "HealthCode.Api.Infrastructure.Store.Postgres.";

    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);

    public SqlDialect Dialect => SqlDialect.Postgres;

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken);

    public Task<IDisposable> TakeWriteTurnAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable>(NoTurn.Instance);

    public bool WriteTurnWanted => false;

    /// <summary>Repeatable read: every query of the transaction sees the snapshot its first one saw.</summary>
    public async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    /// <summary>Runs the scripts this database has not run yet, in the order of their numbers.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Runs the scripts not run yet up to number <paramref name="through"/> (tests of an upgrade start from an old schema).</summary>
    public async Task MigrateAsync(int through, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", MigrationLock);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // DbUp runs synchronously, on a connection of its own; the lock above is held by this session meanwhile.
            var upgrade = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(PostgresDatabase).Assembly, name => name.StartsWith(ScriptPrefix, StringComparison.Ordinal)
                    && int.Parse(name.AsSpan(ScriptPrefix.Length, 4), System.Globalization.CultureInfo.InvariantCulture) <= through)
                .WithTransactionPerScript()
                .LogTo(new NoUpgradeLog())
                .Build();
            var result = await Task.Run(upgrade.PerformUpgrade, cancellationToken);
            if (!result.Successful)
            {
                throw new InvalidOperationException($"The PostgreSQL schema script {result.ErrorScript?.Name} failed.", result.Error);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", MigrationLock);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>DbUp writes to the console by default; the service's own log says what matters (a failed script, as an exception).</summary>
    private sealed class NoUpgradeLog : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args)
        {
        }

        public void LogDebug(string format, params object[] args)
        {
        }

        public void LogInformation(string format, params object[] args)
        {
        }

        public void LogWarning(string format, params object[] args)
        {
        }

        public void LogError(string format, params object[] args)
        {
        }

        public void LogError(Exception ex, string format, params object[] args)
        {
        }
    }
}
