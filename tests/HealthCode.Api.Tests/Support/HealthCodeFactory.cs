using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// The real service in process, on a real Kestrel server bound to a free port on 127.0.0.1 (so
/// chunked bodies, connection limits and the server's own errors behave as in production), with its
/// own SQLite file (a real database) and the Henan sample keys. Time is a <see cref="FakeTimeProvider"/>
/// so expiry can be tested without waiting.
/// </summary>
internal sealed class HealthCodeFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    public const string OperatorKey = "test-operator-key-0123456789";

    private readonly string environment;
    private readonly Dictionary<string, string?> settings;

    public HealthCodeFactory(string? databaseFile = null, string environment = "Development", Dictionary<string, string?>? settings = null)
    {
        DatabaseFile = databaseFile ?? Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
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

    /// <summary>A service that takes its partners' lists and pinned roots from <paramref name="partnersFolder"/> (<see cref="PartnerProvince.PublishTo"/>).</summary>
    public static HealthCodeFactory WithPartners(string partnersFolder, Dictionary<string, string?>? settings = null) =>
        new(settings: new(settings ?? []) { ["HealthCode:Trust:PartnersPath"] = partnersFolder });

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Runs <paramref name="sql"/> on the service's database behind its back, as someone with write access to the file might.</summary>
    public void Execute(string sql) => Execute(DatabaseFile, sql);

    /// <summary>The scan audit's own file beside the store's (<c>hc.db</c> → <c>hc.audit.db</c>).</summary>
    public string AuditFile => Path.ChangeExtension(DatabaseFile, null) + ".audit.db";

    /// <summary>Runs <paramref name="sql"/> on the audit's file behind the service's back.</summary>
    public void ExecuteOnAudit(string sql) => Execute(AuditFile, sql);

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
        using var connection = OpenDatabase(DatabaseFile);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("ConnectionStrings:HealthCode", $"Data Source={DatabaseFile}");
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
