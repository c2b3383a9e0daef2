using System.Net;

namespace HealthCode.Integration.Federation;

/// <summary>
/// The topology of deploy/federation-demo.sh as test processes: one redis-server, a national hub
/// and three provinces (Henan 410000, Zhejiang 330000, Guangdong 440000) on free loopback ports,
/// each on its own copy of keys-sample/. All three are hub members; Henan and Zhejiang also
/// recognise each other bilaterally (pinned roots). Guangdong knows Henan only through the hub.
/// </summary>
internal sealed class FederationTopology : IAsyncDisposable
{
    /// <summary>Short, so that a change reaches partners within seconds (±20% jitter in the service).</summary>
    public const string RefreshInterval = "00:00:02";

    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(60);

    private FederationTopology(
        string workDirectory, RedisServer redis, IReadOnlyDictionary<string, string?> provinceSettings, ProvinceNode hub, ProvinceNode henan, ProvinceNode zhejiang, ProvinceNode guangdong)
    {
        WorkDirectory = workDirectory;
        ProvinceSettings = provinceSettings;
        Redis = redis;
        Hub = hub;
        Henan = henan;
        Zhejiang = zhejiang;
        Guangdong = guangdong;
    }

    public string WorkDirectory { get; }

    public RedisServer Redis { get; }

    /// <summary>What the three provinces were started with (Redis, the hub, timings): a further instance of one of them takes the same.</summary>
    public IReadOnlyDictionary<string, string?> ProvinceSettings { get; }

    public ProvinceNode Hub { get; }

    public ProvinceNode Henan { get; }

    public ProvinceNode Zhejiang { get; }

    public ProvinceNode Guangdong { get; }

    public IEnumerable<ProvinceNode> Nodes => [Hub, Henan, Zhejiang, Guangdong];

    /// <param name="settings">Settings for every node (the hub too) over the defaults above, e.g. another refresh interval.</param>
    public static async Task<FederationTopology> StartAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null)
    {
        settings ??= new Dictionary<string, string?>();
        var work = Directory.CreateTempSubdirectory("healthcode-federation-").FullName;
        RedisServer? redis = null;
        var nodes = new List<ProvinceNode>();
        try
        {
            redis = await RedisServer.StartAsync(cancellationToken);
            var hub = ProvinceNode.Create(
                work, "000000", "国家枢纽", new Dictionary<string, string?>(settings) { ["HealthCode__Hub__Enabled"] = "true" }, keysFolder: "hub");
            nodes.Add(hub);
            var anchor = Path.Combine(ProvinceNode.CopyKeys(work, "hub"), "anchor.public.jwk");
            var provinceSettings = new Dictionary<string, string?>
            {
                ["ConnectionStrings__Redis"] = redis.Configuration,
                ["HealthCode__Hub__Url"] = hub.BaseAddress.ToString(),
                ["HealthCode__Hub__AnchorKey"] = anchor,
                ["HealthCode__Federation__RefreshInterval"] = RefreshInterval,
                ["HealthCode__Federation__OnlineStatusCheck"] = "true",
            };
            foreach (var (name, value) in settings)
            {
                provinceSettings[name] = value;
            }

            var henan = ProvinceNode.Create(work, "410000", "河南省", provinceSettings);
            var zhejiang = ProvinceNode.Create(work, "330000", "浙江省", provinceSettings);
            var guangdong = ProvinceNode.Create(work, "440000", "广东省", provinceSettings);
            nodes.AddRange([henan, zhejiang, guangdong]);

            // Two cores: four .NET processes starting at once still beats starting them one by one.
            await Task.WhenAll(nodes.Select(n => n.StartAsync(cancellationToken)));

            var topology = new FederationTopology(work, redis, provinceSettings, hub, henan, zhejiang, guangdong);
            await topology.ConnectAsync();
            return topology;
        }
        catch
        {
            foreach (var node in nodes)
            {
                TestContext.Progress.WriteLine($"--- {node.Name} ({node.Code}) output:\n{node.OutputTail()}");
                await node.DisposeAsync();
            }

            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            DeleteDirectory(work);
            throw;
        }
    }

    /// <summary>The operator calls of deploy/federation-demo.sh, then a bounded wait until every partner is <c>ok</c>.</summary>
    private async Task ConnectAsync()
    {
        foreach (var member in new[] { Henan, Zhejiang, Guangdong })
        {
            await Hub.Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/hub/members", member.Registration(), HttpStatusCode.OK);
        }

        await Zhejiang.RegisterPartnerAsync(Henan.Registration());
        await Henan.RegisterPartnerAsync(Zhejiang.Registration());

        await Task.WhenAll(
            Zhejiang.WaitForPartnerAsync(Henan.Code, IsOk("bilateral"), ConvergeTimeout, "ok (bilateral)"),
            Zhejiang.WaitForPartnerAsync(Guangdong.Code, IsOk("hub"), ConvergeTimeout, "ok (hub)"),
            Henan.WaitForPartnerAsync(Zhejiang.Code, IsOk("bilateral"), ConvergeTimeout, "ok (bilateral)"),
            Henan.WaitForPartnerAsync(Guangdong.Code, IsOk("hub"), ConvergeTimeout, "ok (hub)"),
            Guangdong.WaitForPartnerAsync(Henan.Code, IsOk("hub"), ConvergeTimeout, "ok (hub)"),
            Guangdong.WaitForPartnerAsync(Zhejiang.Code, IsOk("hub"), ConvergeTimeout, "ok (hub)"));
    }

    public static Func<System.Text.Json.Nodes.JsonObject, bool> IsOk(string source) =>
        p => (string?)p["state"] == "ok" && (string?)p["source"] == source;

    /// <summary>The last lines of every process, for a failure report.</summary>
    public string OutputTails(int lines = 40) =>
        string.Join("\n", Nodes.Select(n => $"--- {n.Name} ({n.Code}):\n{n.OutputTail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Redis.DisposeAsync();
        DeleteDirectory(WorkDirectory);
    }

    /// <summary>Writes the processes' last lines to the test's output when the current test failed.</summary>
    public static void ReportOnFailure(Func<string> outputTails)
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(outputTails());
        }
    }

    /// <summary>Deletes a test's work folder; a file still open leaves it to the OS.</summary>
    public static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open: the temp folder is cleaned by the OS later.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
