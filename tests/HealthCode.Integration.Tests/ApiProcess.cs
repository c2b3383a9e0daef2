using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace HealthCode.Integration.Tests;

/// <summary>
/// The real HealthCode.Api, started from its build output as a separate process on a free
/// loopback port, with its own SQLite file and the sample keys of Henan (410000).
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    /// <summary>
    /// The operator key the service is started with (<c>HealthCode:Admin:ApiKey</c>); the service
    /// refuses to start with a key shorter than 16 characters.
    /// </summary>
    public const string AdminApiKey = "test-admin-key-integration";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private ApiProcess(Process process, Uri baseAddress, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public Uri BaseAddress { get; }

    /// <summary>The service's SQLite file (unless <see cref="ApiProcessOptions.Environment"/> points the store elsewhere).</summary>
    public string DatabaseFile => Path.Combine(_dataDirectory, "hc.db");

    /// <summary>What the service wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<ApiProcess> StartAsync(CancellationToken cancellationToken) =>
        StartAsync(new ApiProcessOptions(), cancellationToken);

    /// <summary>
    /// Starts the service with <paramref name="options"/> on top of the defaults (Development, the
    /// operator key, a SQLite file in the data folder, the Henan sample keys).
    /// </summary>
    public static async Task<ApiProcess> StartAsync(ApiProcessOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownsDataDirectory = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Directory.CreateTempSubdirectory("healthcode-it-").FullName;
        var baseAddress = new Uri($"http://127.0.0.1:{options.Port ?? FreeTcpPort()}");
        var startInfo = CreateStartInfo(options, baseAddress, dataDirectory);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var api = new ApiProcess(process, baseAddress, dataDirectory, ownsDataDirectory);
        process.OutputDataReceived += (_, e) => api.Append(e.Data);
        process.ErrorDataReceived += (_, e) => api.Append(e.Data);
        if (!process.Start())
        {
            Assert.Fail($"could not start {startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await api.WaitUntilHealthyAsync(cancellationToken);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    /// <summary>
    /// Starts the service as <see cref="StartAsync(ApiProcessOptions, CancellationToken)"/> does and waits for it to end by
    /// itself, for a start that must fail; its exit code, output and errors. Fails the test if it still runs after
    /// <paramref name="timeout"/> (then it is killed).
    /// </summary>
    public static async Task<(int Exit, string Output, string Errors)> RunUntilExitAsync(ApiProcessOptions options, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataDirectory = options.DataDirectory ?? Directory.CreateTempSubdirectory("healthcode-it-").FullName;
        try
        {
            var startInfo = CreateStartInfo(options, new Uri($"http://127.0.0.1:{options.Port ?? FreeTcpPort()}"), dataDirectory);
            return await ProcessRun.UntilExitAsync(startInfo, timeout, "HealthCode.Api, which was to refuse to start,");
        }
        finally
        {
            if (options.DataDirectory is null)
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The service's build output (the configuration of this test assembly, so `dotnet test -c Release` tests Release),
    /// with the defaults (Development, the operator key, a SQLite file in <paramref name="dataDirectory"/>, the Henan
    /// sample keys) and <paramref name="options"/> on top.
    /// </summary>
    private static ProcessStartInfo CreateStartInfo(ApiProcessOptions options, Uri baseAddress, string dataDirectory)
    {
        var repoRoot = RepoRoot.Find();
        // Run the build that matches this test assembly, so `dotnet test -c Release` tests Release.
        var configuration = typeof(ApiProcess).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var apiDirectory = Path.Combine(repoRoot, "src", "HealthCode.Api");
        var apiDll = Path.Combine(apiDirectory, "bin", configuration, "net10.0", "HealthCode.Api.dll");
        if (!File.Exists(apiDll))
        {
            Assert.Fail($"{apiDll} does not exist: build the solution ({configuration}) first.");
        }

        var startInfo = new ProcessStartInfo(DotNetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = apiDirectory,
        };
        foreach (var argument in new[]
                 {
                     apiDll,
                     "--urls", baseAddress.GetLeftPart(UriPartial.Authority),
                     "--contentRoot", apiDirectory,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        startInfo.Environment["ConnectionStrings__HealthCode"] = $"Data Source={Path.Combine(dataDirectory, "hc.db")}";
        startInfo.Environment["HealthCode__Keys__Path"] = Path.Combine(repoRoot, "keys-sample", "410000");
        startInfo.Environment["HealthCode__Admin__ApiKey"] = AdminApiKey;
        foreach (var (name, value) in options.Environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    /// <summary>
    /// Ends the process at once, as <c>kill -9</c> or a crash would: <see cref="Process.Kill()"/> sends SIGKILL to its
    /// PID on Unix, so nothing shuts down gracefully, drains or flushes. A data folder the caller owns stays for a restart.
    /// </summary>
    public async Task KillAsync()
    {
        _process.Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"HealthCode.Api exited with code {_process.ExitCode} before /healthz answered:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The 2 s per-request timeout: try again until the deadline.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        Assert.Fail($"HealthCode.Api did not answer GET /healthz 200 within {StartTimeout.TotalSeconds} s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (InvalidOperationException)
        {
            // The process never started or is already gone.
        }
        catch (OperationCanceledException)
        {
            // Killed but slow to be reaped: nothing more a test run can do.
        }
        finally
        {
            _process.Dispose();
        }

        if (!_ownsDataDirectory)
        {
            // The caller keeps it, e.g. to start the same province again on the same store.
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (SQLite WAL): the temp directory is cleaned by the OS later.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The <c>dotnet</c> that runs the tests, so the service runs on the same SDK.</summary>
    internal static string DotNetHost()
    {
        var fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli))
        {
            return fromCli;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}

/// <summary>How to start one service process, beyond the defaults of <see cref="ApiProcess"/>.</summary>
internal sealed record ApiProcessOptions
{
    /// <summary>A fixed port, so a stopped process can be started again where partners expect it; null for a free one.</summary>
    public int? Port { get; init; }

    /// <summary>The folder for the SQLite file, kept when the process stops; null for a temporary one deleted on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Environment variables set on top of (or replacing) the defaults, e.g. <c>HealthCode__Province__Code</c>.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
}
