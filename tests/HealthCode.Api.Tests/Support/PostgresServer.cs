using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A real PostgreSQL for tests. With <c>HEALTHCODE_TEST_POSTGRES</c> set (a connection string to a running server whose
/// user may create databases) that server is used; otherwise a private cluster is started from Debian's server binaries
/// (<c>initdb</c>, <c>pg_ctl</c> in <see cref="BinFolder"/>) in a temporary folder, on 127.0.0.1 and a free port, trusting
/// local connections as user <c>hc</c>, and stopped again by <see cref="StopShared"/> at the end of the test run. initdb
/// refuses to run as root, so as root the cluster belongs to the <c>postgres</c> user and its commands run through <c>su</c>.
/// Each fixture takes a fresh database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
internal sealed class PostgresServer
{
    public const string ServerVariable = "HEALTHCODE_TEST_POSTGRES";

    public const string BinFolder = "/usr/lib/postgresql/15/bin";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lock Gate = new();

    private static PostgresServer? shared;

    private readonly string? folder;

    private readonly int port;

    private PostgresServer(string adminConnectionString, string? folder, int port = 0)
    {
        AdminConnectionString = adminConnectionString;
        this.folder = folder;
        this.port = port;
    }

    /// <summary>A connection string to the server's <c>postgres</c> database, as a user that may create databases.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The process id of the private cluster's postmaster (null for a server from <see cref="ServerVariable"/>).</summary>
    public int? Pid => folder is null ? null : int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The one server of this test run, started at its first use.</summary>
    public static PostgresServer Shared
    {
        get
        {
            lock (Gate)
            {
                return shared ??= Start();
            }
        }
    }

    /// <summary>Stops the private cluster if this run started one.</summary>
    public static void StopShared()
    {
        lock (Gate)
        {
            shared?.Stop();
            shared = null;
        }
    }

    /// <summary>A new, empty database on the server; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "hc_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ToString();
    }

    /// <summary>
    /// A private cluster for one test, whatever <see cref="ServerVariable"/> says: a test that stops and starts its server
    /// (<see cref="StopImmediately"/>, <see cref="StartAgain"/>) disturbs no other. The test stops it with <see cref="StopAndDelete"/>.
    /// </summary>
    public static PostgresServer StartPrivate() => StartCluster();

    /// <summary>Stops the private cluster as a crash would (<c>pg_ctl stop -m immediate</c>: no checkpoint, every connection cut).</summary>
    public void StopImmediately()
    {
        Run(Path.Combine(BinFolder, "pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "-t", "60", "stop"], Environment.UserName == "root");
    }

    /// <summary>Starts the private cluster again, on the same port, after <see cref="StopImmediately"/> (it recovers from its log).</summary>
    public void StartAgain() => Launch();

    /// <summary>Stops the private cluster, if it runs, and deletes its folder.</summary>
    public void StopAndDelete()
    {
        if (folder is not null && File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            Stop();
        }
        else if (folder is not null)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string DataFolder => Path.Combine(folder!, "data");

    private void Launch()
    {
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off";
        Run(Path.Combine(BinFolder, "pg_ctl"), ["-D", DataFolder, "-l", Path.Combine(folder!, "server.log"), "-o", options, "-w", "-t", "60", "start"], Environment.UserName == "root");
    }

    private static PostgresServer Start()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } configured)
        {
            return new PostgresServer(configured, null);
        }

        return StartCluster();
    }

    private static PostgresServer StartCluster()
    {
        if (!File.Exists(Path.Combine(BinFolder, "initdb")))
        {
            Assert.Fail($"{BinFolder}/initdb is missing: apt-get install -y postgresql (or set {ServerVariable} to a running server)");
        }

        var folder = Path.Combine(Path.GetTempPath(), "healthcode-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", ["postgres:postgres", folder], asPostgres: false);
        }

        var port = FreePort();
        var data = Path.Combine(folder, "data");
        Run(Path.Combine(BinFolder, "initdb"), ["-D", data, "-A", "trust", "-U", "hc", "--no-sync"], asRoot);
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=hc;Database=postgres;Pooling=false", folder, port);
        server.Launch();
        TestContext.Progress.WriteLine($"PostgreSQL for tests: 127.0.0.1:{port}, pid {server.Pid}, in {folder}");
        return server;
    }

    private void Stop()
    {
        if (folder is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        Run(Path.Combine(BinFolder, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "fast", "-w", "-t", "60", "stop"], Environment.UserName == "root");
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Runs a command to its end (bounded by <see cref="CommandTimeout"/>), as the postgres user when asked; fails the test on a non-zero exit.</summary>
    private static void Run(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("su") : new ProcessStartInfo(file);
        if (asPostgres)
        {
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(string.Join(' ', new[] { file }.Concat(arguments).Select(Quote)));
        }
        else
        {
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // pg_ctl's server inherits the pipes; read to the end, they would stay open as long as the server runs.
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var error = process.StandardError.ReadLineAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(error.Wait(TimeSpan.FromSeconds(1)) ? error.Result : "")}");
        }
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
