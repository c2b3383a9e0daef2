using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// The real service in process, on a real Kestrel server bound to a free port on 127.0.0.1 (so
/// chunked bodies, connection limits and the server's own errors behave as in production), with its
/// own SQLite file (a real database) and the Henan sample keys. Time is a <see cref="FakeTimeProvider"/>
/// so expiry can be tested without waiting. With <c>HEALTHCODE_TEST_STORE=postgres</c> the store is a fresh database
/// of its own on the tests' PostgreSQL instead (<see cref="PostgresServer"/>), so the whole project runs on either engine;
/// the tests of what only SQLite has (its files, its audit file, DeferredSync) are in the category <c>SqliteOnly</c>.
/// </summary>
internal sealed class HealthCodeFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    public const string OperatorKey = "test-operator-key-0123456789";

    private readonly string environment;
    private readonly Dictionary<string, string?> settings;

    public HealthCodeFactory(string? databaseFile = null, string environment = "Development", Dictionary<string, string?>? settings = null)
        : this(databaseFile, environment, settings, postgres: null)
    {
    }

    private HealthCodeFactory(string? databaseFile, string environment, Dictionary<string, string?>? settings, string? postgres)
    {
        DatabaseFile = databaseFile ?? Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
        // A test that prepares a SQLite file of its own (an upgrade from an old schema) is about SQLite, whatever the run.
        PostgresConnectionString = postgres
            ?? (OnPostgres && databaseFile is null ? PostgresServer.Shared.CreateDatabaseAsync().GetAwaiter().GetResult() : null);
        this.environment = environment;
        this.settings = settings ?? [];
        UseKestrel(server => server.Listen(System.Net.IPAddress.Loopback, 0));
    }

    /// <summary>
    /// The error that stops the service from starting with these settings (the test fails when it starts).
    /// When the service's own start fails, WebApplicationFactory now and then loses the race to read the
    /// host's services before the failed host is disposed and reports its own ObjectDisposedException
    /// instead of the service's reason; the start is then tried again, so the reason is what is tested.
    /// </summary>
    public static Exception StartFailure(string environment = "Development", Dictionary<string, string?>? settings = null)
    {
        Exception? error = null;
        for (var attempt = 0; attempt < 10 && error is null or ObjectDisposedException; attempt++)
        {
            using var factory = new HealthCodeFactory(environment: environment, settings: settings);
            error = Assert.Catch(() => factory.CreateClient());
        }

        return error!;
    }

    public string DatabaseFile { get; }

    /// <summary>A service started again on the store <paramref name="earlier"/> used (its SQLite file or its PostgreSQL database), as after a restart.</summary>
    public static HealthCodeFactory OnTheStoreOf(HealthCodeFactory earlier) =>
        new(earlier.DatabaseFile, "Development", null, earlier.PostgresConnectionString);

    /// <summary>Whether this test run keeps the service's store on PostgreSQL (<c>HEALTHCODE_TEST_STORE=postgres</c>).</summary>
    public static bool OnPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("HEALTHCODE_TEST_STORE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The service's PostgreSQL database, when it has one (else its store is <see cref="DatabaseFile"/>).</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>A service that takes its partners' lists and pinned roots from <paramref name="partnersFolder"/> (<see cref="PartnerProvince.PublishTo"/>).</summary>
    public static HealthCodeFactory WithPartners(string partnersFolder, Dictionary<string, string?>? settings = null) =>
        new(settings: new(settings ?? []) { ["HealthCode:Trust:PartnersPath"] = partnersFolder });

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Runs <paramref name="sql"/> on the service's database behind its back, as someone with write access to it might.</summary>
    public void Execute(string sql)
    {
        if (PostgresConnectionString is null)
        {
            Execute(DatabaseFile, sql);
            return;
        }

        using var connection = new NpgsqlConnection(PostgresConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>The scan audit's own file beside the store's (<c>hc.db</c> → <c>hc.audit.db</c>).</summary>
    public string AuditFile => Path.ChangeExtension(DatabaseFile, null) + ".audit.db";

    /// <summary>The audit head's witness: beside the SQLite file, or on PostgreSQL in the instance's data folder (<c>HealthCode:Store:DataPath</c>).</summary>
    public string AuditWitnessFile => PostgresConnectionString is null
        ? DatabaseFile + Infrastructure.Audit.FileAuditHeadWitness.Suffix
        : Path.Combine(Path.GetDirectoryName(DatabaseFile)!, "postgres" + Infrastructure.Audit.FileAuditHeadWitness.Suffix);

    /// <summary>Runs <paramref name="sql"/> on the audit's file behind the service's back (on PostgreSQL the audit's tables are in the store's database).</summary>
    public void ExecuteOnAudit(string sql)
    {
        if (PostgresConnectionString is null)
        {
            Execute(AuditFile, sql);
        }
        else
        {
            // On PostgreSQL the scans answered wait in the instance's spool until shipped: into the chain first, so the SQL
            // acts on every entry answered, as on SQLite.
            Services.GetRequiredService<Infrastructure.Audit.IAuditBacklog>().FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            Execute(sql);
        }
    }

    /// <summary>A connection of the test's own to the service's store file.</summary>
    public SqliteConnection OpenStore() => OpenDatabase(DatabaseFile);

    /// <summary>Runs <paramref name="sql"/> on the database in <paramref name="databaseFile"/> (one a test prepares before a service opens it).</summary>
    public static void Execute(string databaseFile, string sql)
    {
        using var connection = OpenDatabase(databaseFile);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The first column, as text, of each row <paramref name="sql"/> selects from the service's database.</summary>
    public List<string> Query(string sql)
    {
        using System.Data.Common.DbConnection connection = PostgresConnectionString is null
            ? OpenDatabase(DatabaseFile)
            : new NpgsqlConnection(PostgresConnectionString);
        if (connection.State != System.Data.ConnectionState.Open)
        {
            connection.Open();
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:HealthCode", PostgresConnectionString ?? $"Data Source={DatabaseFile}");
        // The instance's own files (received batches, the audit head's witness) beside where the SQLite file would be.
        builder.UseSetting("HealthCode:Store:DataPath", Path.GetDirectoryName(DatabaseFile));
        builder.UseSetting("HealthCode:Keys:Path", RepoPaths.SampleKeys("410000"));
        builder.UseSetting("HealthCode:Privacy:KeysPath", PrivacyFolders.Sample);
        builder.UseSetting("HealthCode:Admin:ApiKey", OperatorKey);
        // Every test client is 127.0.0.1 and a fixture logs in dozens of residents: the per-address limit on
        // one-time codes (50 in 10 minutes) is lifted here; the tests of that limit set their own.
        builder.UseSetting("HealthCode:Otp:PerAddress:Limit", "100000");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    private static SqliteConnection OpenDatabase(string databaseFile)
    {
        var connection = new SqliteConnection($"Data Source={databaseFile};Pooling=False");
        connection.Open();
        return connection;
    }
}
