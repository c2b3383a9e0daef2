using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Api.Infrastructure.Store.Postgres;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Registers the store on the engine <c>ConnectionStrings:HealthCode</c> names (DESIGN §11, <see cref="StoreConnectionString"/>).
/// Stores written once over <see cref="IStoreDatabase"/> run on both; the others still only on SQLite
/// (<see cref="PostgresPending"/>), and on PostgreSQL the service refuses to start while any is left, so what runs never half-works.
/// </summary>
internal static class StoreSetup
{
    /// <summary>
    /// The stores with no PostgreSQL implementation yet. Each is registered by its own area (or <see cref="ServiceSetup"/>)
    /// against <see cref="SqliteDatabase"/>; on PostgreSQL that database is a refusal (<see cref="EnsureUsable"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> PostgresPending =
    [
        "catalogue (ICatalogStore)",
        "batches (IBatchStore)",
        "facts (IFactStore)",
        "disputes (IDisputeStore)",
        "overrides (IOverrideStore)",
        "offices (IOfficeStore)",
        "received batch files (BatchFiles)",
    ];

    /// <summary>The engine chosen, or the one-line reason the connection string cannot be used (refused at start, not here: see <see cref="EnsureUsable"/>).</summary>
    internal sealed record Selection(StoreEngine Engine, string? Problem);

    public static void AddStore(IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var configured = configuration.GetConnectionString("HealthCode");
        Selection selection;
        try
        {
            selection = new Selection(StoreConnectionString.EngineOf(configured), null);
        }
        catch (SettingException bad)
        {
            // Registered as SQLite so that the container builds; EnsureUsable stops the start with this line first.
            selection = new Selection(StoreEngine.Sqlite, bad.Message);
        }

        services.AddSingleton(selection);
        if (selection.Engine == StoreEngine.Postgres)
        {
            services.AddSingleton(new PostgresDatabase(configured!));
            services.AddSingleton<IStoreDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
            // What still needs SQLite resolves to this refusal, never to a file nobody configured.
            services.AddSingleton<SqliteDatabase>(_ => throw PendingStores());
            services.AddSingleton<IAuditStore, PostgresAuditStore>();
            // The audit head's witness stays out of the database's reach (DESIGN §10): a file of this instance's own. With
            // several instances each keeps the head it last committed, which may lag the shared chain but never leads it.
            services.AddSingleton<IAuditHeadWitness>(_ =>
            {
                var folder = Directory.CreateDirectory(Path.Combine(contentRoot, "data")).FullName;
                return FileAuditHeadWitness.Beside(Path.Combine(folder, "postgres"));
            });
        }
        else
        {
            services.AddSingleton(new SqliteDatabase(SqliteConnectionString(selection.Problem is null ? configured : null, contentRoot)));
            services.AddSingleton<IStoreDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<SqliteAuditDatabase>();
            services.AddSingleton<IAuditStore, SqliteAuditStore>();
            services.AddSingleton<IAuditHeadWitness>(sp => FileAuditHeadWitness.Beside(sp.GetRequiredService<SqliteDatabase>().FilePath));
        }

        services.AddSingleton<IHealthCodeStore, HealthCodeStore>();
        services.AddSingleton<IStaffStore, StaffStore>();
        services.AddSingleton<IPartnerStore, PartnerStore>();
        services.AddSingleton<IHubMemberStore, HubMemberStore>();
        services.AddSingleton<ISignedListStore, SignedListStore>();
    }

    /// <summary>Refuses, with one line (exit 78 from Program), a connection string that names no engine, or PostgreSQL while a store is pending.</summary>
    public static void EnsureUsable(IServiceProvider services)
    {
        var selection = services.GetRequiredService<Selection>();
        if (selection.Problem is { } problem)
        {
            throw new SettingException(problem);
        }

        if (selection.Engine == StoreEngine.Postgres && PostgresPending.Count > 0)
        {
            throw PendingStores();
        }
    }

    /// <summary>Creates or upgrades the PostgreSQL schema; SQLite's is moved forward by its own stores (<see cref="SqliteDatabase.MigrateAsync(CancellationToken)"/>).</summary>
    public static Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<PostgresDatabase>() is { } postgres ? postgres.MigrateAsync(cancellationToken) : Task.CompletedTask;

    private static SettingException PendingStores() => new(
        $"{StoreConnectionString.Setting} names a PostgreSQL server, but these stores run on SQLite only so far: " +
        $"{string.Join(", ", PostgresPending)}. Use a SQLite Data Source=... until they are done (issue 13).");

    /// <summary>A relative SQLite file is placed under the content root, so the default lands in ./data.</summary>
    private static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? "Data Source=data/healthcode.db" : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource, contentRoot);
        }

        return builder.ToString();
    }
}
