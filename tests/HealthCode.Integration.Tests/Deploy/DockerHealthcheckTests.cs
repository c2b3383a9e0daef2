using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HealthCode.Integration.Federation;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Deploy;

/// <summary>
/// The image's <c>HEALTHCHECK</c> command, taken from deploy/Dockerfile as it is and pointed at a real service on
/// 127.0.0.1 instead of the container's port 8080: it passes while the service answers <c>/healthz</c>, and fails when
/// nothing listens or the path answers anything but 200. The image itself is not built here (no container engine);
/// this runs the probe's bash with this machine's bash, head and grep, which the runtime image also has.
/// </summary>
[TestFixture]
public sealed class DockerHealthcheckTests
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    private string _work = "";
    private ProvinceNode? _province;
    private string[] _command = [];

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _command = DeployRules.HealthcheckCommand(await File.ReadAllTextAsync(DeployTools.DeployFile("Dockerfile")))
            ?? throw new AssertionException("deploy/Dockerfile has no HEALTHCHECK ... CMD [...] in its runtime stage");
        _work = Directory.CreateTempSubdirectory("healthcode-healthcheck-").FullName;
        _province = ProvinceNode.Create(_work, "410000", "河南省", new Dictionary<string, string?>());
        await _province.StartAsync(CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_province is not null)
        {
            await _province.DisposeAsync();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite file still held: the temp folder is cleaned by the OS later.
        }
    }

    [Test]
    public async Task Healthcheck_Passes_WhileTheServiceAnswersHealthz()
    {
        var (exit, output) = await ProbeAsync(_province!.Port, "/healthz");

        Assert.That(exit, Is.Zero, $"the HEALTHCHECK failed against a running service:\n{output}\n{_province.OutputTail()}");
    }

    [Test]
    public async Task Healthcheck_Fails_WhenNothingListens()
    {
        var (exit, _) = await ProbeAsync(ClosedPort(), "/healthz");

        Assert.That(exit, Is.Not.Zero);
    }

    [Test]
    public async Task Healthcheck_Fails_WhenThePathDoesNotAnswer200()
    {
        var (exit, _) = await ProbeAsync(_province!.Port, "/no-such-path");

        Assert.That(exit, Is.Not.Zero, "a 404 must not count as healthy");
    }

    /// <summary>Runs the Dockerfile's probe with the container's <c>127.0.0.1/8080</c> turned into this service's port.</summary>
    private async Task<(int Exit, string Output)> ProbeAsync(int port, string path)
    {
        Assert.That(string.Join(' ', _command), Does.Contain("/dev/tcp/127.0.0.1/8080").And.Contain("GET /healthz "));
        var args = _command.Skip(1).Select(a => a
            .Replace("/dev/tcp/127.0.0.1/8080", $"/dev/tcp/127.0.0.1/{port}", StringComparison.Ordinal)
            .Replace("GET /healthz ", $"GET {path} ", StringComparison.Ordinal));
        var (exit, output, errors) = await ProcessRun.UntilExitAsync(new ProcessStartInfo(_command[0], args), ProbeTimeout, "the HEALTHCHECK command");
        return (exit, output + errors);
    }

    /// <summary>A loopback port that was free a moment ago and has no listener now.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
