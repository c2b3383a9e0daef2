using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Federation;

/// <summary>
/// A real redis-server (the Debian package) on a free loopback port, in memory only (no RDB, no
/// AOF), that a test can stop and start again on the same port to play "Redis went away".
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string the services are given.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"{Executable} is missing: apt-get install -y redis-server");
        }

        var redis = new RedisServer(ApiProcess.FreeTcpPort());
        await redis.StartAgainAsync(cancellationToken);
        return redis;
    }

    /// <summary>Starts the server (again) on the same port and waits until it answers PING.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return;
        }

        var startInfo = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {Executable}");
        // Drained so a chatty server never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await PingAsync(cancellationToken))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"redis-server on port {Port} exited with code {_process.ExitCode}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Assert.Fail($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Kills the server by its process id (SIGKILL: no goodbye to clients), and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _process.Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>True when something on the port answers <c>+PONG</c> to an inline PING within a second.</summary>
    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            // Killed but slow to be reaped: nothing more a test run can do.
        }
        finally
        {
            _process?.Dispose();
        }
    }
}
