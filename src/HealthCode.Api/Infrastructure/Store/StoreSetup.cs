using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Settings;
using HealthCode.Api.Infrastructure.Store.Postgres;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Registers the store on the engine <c>ConnectionStrings:HealthCode</c> names (DESIGN §11, <see cref="StoreConnectionString"/>).
/// Every store is written once over <see cref="IStoreDatabase"/> and registered by its area; what differs by engine is
/// registered here: the database, the scan audit (a file of its own on SQLite; on PostgreSQL a local spool shipped into
/// the shared chain) and its head's witness, and the local folder. <see cref="SqliteDatabase"/> is registered on SQLite only, so a service that still needed it on PostgreSQL
/// would fail to build its container rather than half-work.
/// </summary>
internal static class StoreSetup
{

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
            // Files this instance keeps for itself (received batches, the audit head's witness): HealthCode:Store:DataPath,
            // by default data/ under the content root.
            services.AddSingleton(new LocalDataFolder(Path.GetFullPath(configuration["HealthCode:Store:DataPath"] ?? "data", contentRoot)));
            services.AddSingleton<IAuditStore, PostgresAuditStore>();
            // The audit head's witness stays out of the database's reach (DESIGN §10): a file of this instance's own. With
            // several instances each keeps the head it last committed, which may lag the shared chain but never leads it.
            services.AddSingleton<IAuditHeadWitness>(sp =>
            {
                var folder = Directory.CreateDirectory(sp.GetRequiredService<LocalDataFolder>().Path).FullName;
                return FileAuditHeadWitness.Beside(Path.Combine(folder, "postgres"));
            });
            // Scans are answered once their entry is in this instance's spool, and shipped into the shared chain after
            // (AuditSpool, AuditShipper): no scan waits on the chain's head lock, and scans go on while PostgreSQL is down.
            services.AddSingleton<AuditSpool>();
            services.AddSingleton<IAuditJournal>(sp => sp.GetRequiredService<AuditSpool>());
            services.AddSingleton(new AuditShipping(configuration.GetValue<TimeSpan?>("HealthCode:Store:AuditShipInterval") ?? AuditShipping.DefaultInterval));
            services.AddSingleton<AuditShipper>();
            services.AddSingleton<IAuditBacklog>(sp => sp.GetRequiredService<AuditShipper>());
            // Registered before the audit writer, so stopped after it: what the writer drains into the spool is shipped last.
            services.AddHostedService(sp => sp.GetRequiredService<AuditShipper>());
        }
        else
        {
            services.AddSingleton(new SqliteDatabase(SqliteConnectionString(selection.Problem is null ? configured : null, contentRoot)));
            services.AddSingleton<IStoreDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
            services.AddSingleton(sp => new LocalDataFolder(
                Path.GetDirectoryName(Path.GetFullPath(sp.GetRequiredService<SqliteDatabase>().FilePath)) ?? "."));
            services.AddSingleton<SqliteAuditDatabase>();
            services.AddSingleton<IAuditStore, SqliteAuditStore>();
            services.AddSingleton<IAuditHeadWitness>(sp => FileAuditHeadWitness.Beside(sp.GetRequiredService<SqliteDatabase>().FilePath));
            // The chain is a local file: an entry is committed into it directly, and named by its seq.
            services.AddSingleton<ChainJournal>();
            services.AddSingleton<IAuditJournal>(sp => sp.GetRequiredService<ChainJournal>());
            services.AddSingleton<IAuditBacklog>(sp => sp.GetRequiredService<ChainJournal>());
        }

        services.AddSingleton<IHealthCodeStore, HealthCodeStore>();
        services.AddSingleton<IStaffStore, StaffStore>();
        services.AddSingleton<IPartnerStore, PartnerStore>();
        services.AddSingleton<IHubMemberStore, HubMemberStore>();
        services.AddSingleton<ISignedListStore, SignedListStore>();
    }

    /// <summary>Refuses, with one line (exit 78 from Program), a connection string that names no engine, or both.</summary>
    public static void EnsureUsable(IServiceProvider services)
    {
        if (services.GetRequiredService<Selection>().Problem is { } problem)
        {
            throw new SettingException(problem);
        }
    }

    /// <summary>Creates or upgrades the PostgreSQL schema; SQLite's is moved forward by its own stores (<see cref="SqliteDatabase.MigrateAsync(CancellationToken)"/>).</summary>
    public static Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<PostgresDatabase>() is { } postgres ? postgres.MigrateAsync(cancellationToken) : Task.CompletedTask;

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

/// <summary>
/// The folder of files this instance keeps for itself beside the store: the SQLite file's own folder, or with PostgreSQL
/// <c>data/</c> under the content root. A received batch's body lives here while it is applied.
/// </summary>
internal sealed record LocalDataFolder(string Path);
