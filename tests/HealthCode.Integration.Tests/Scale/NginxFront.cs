using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Scale;

/// <summary>
/// A real nginx (the Debian package) on a free loopback port in front of several instances of one province, as a
/// deployment puts one address before its replicas: round robin, no stickiness, so that consecutive requests of one
/// client land on different instances. Each answer names the instance that gave it in <c>X-Upstream</c>, so a test can
/// see that the work was really spread. Its configuration, logs and temporary files live in a folder of its own.
/// </summary>
internal sealed class NginxFront : IAsyncDisposable
{
    /// <summary>The answer header naming the instance (<c>127.0.0.1:port</c>) that answered.</summary>
    public const string UpstreamHeader = "X-Upstream";

    private const string Executable = "/usr/sbin/nginx";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _folder;

    private NginxFront(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    /// <summary>nginx's error log, for a failure report.</summary>
    public string ErrorLog => File.Exists(Path.Combine(_folder, "error.log")) ? File.ReadAllText(Path.Combine(_folder, "error.log")) : "";

    /// <summary>Starts nginx before the instances listening on <paramref name="ports"/> and waits until it accepts connections.</summary>
    public static async Task<NginxFront> StartAsync(string workDirectory, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"{Executable} is missing: apt-get install -y nginx");
        }

        var folder = Directory.CreateDirectory(Path.Combine(workDirectory, "nginx")).FullName;
        var port = ApiProcess.FreeTcpPort();
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), Configuration(folder, port, ports), cancellationToken);
        var start = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var front = new NginxFront(process, folder, port);
        var clock = Stopwatch.StartNew();
        while (!await AcceptsAsync(port, cancellationToken))
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                var log = front.ErrorLog;
                await front.DisposeAsync();
                Assert.Fail($"nginx did not listen on {port} within {StartTimeout.TotalSeconds} s:\n{log}");
            }

            await Task.Delay(100, cancellationToken);
        }

        return front;
    }

    /// <summary>
    /// One worker, in the foreground, everything it writes under <paramref name="folder"/>. Request bodies are passed on
    /// as they come (a batch may be large) and not limited here: the service answers for its own limits. An instance
    /// that refuses the connection (killed) is skipped for the next one, as a load balancer's health check would.
    /// </summary>
    private static string Configuration(string folder, int port, IReadOnlyList<int> ports)
    {
        var servers = new StringBuilder();
        foreach (var upstream in ports)
        {
            servers.Append(CultureInfo.InvariantCulture, $"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;\n");
        }

        return $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                upstream province {
            {{servers}}        keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    client_max_body_size 0;
                    location / {
                        proxy_pass http://province;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_request_buffering off;
                        proxy_next_upstream error timeout;
                        proxy_read_timeout 120s;
                        add_header {{UpstreamHeader}} $upstream_addr always;
                    }
                }
            }
            """;
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
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
            // Never started or already gone.
        }
        catch (OperationCanceledException)
        {
            // Killed but slow to be reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
