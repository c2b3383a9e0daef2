using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Integration.Federation;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.OpenApi;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) of a real province and of a real hub: it passes <c>redocly lint</c> with
/// Redocly's recommended rules (tools/openapi: the linter pinned in its package-lock.json, the rules in redocly.yaml),
/// and it lists what clients rely on: the operational endpoints, the bearer schemes, the verdict's error codes, the
/// problem schema, the media types of the QR.
/// </summary>
[TestFixture]
public sealed class OpenApiDocumentTests
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LintTimeout = TimeSpan.FromMinutes(2);
    private static readonly SemaphoreSlim Install = new(1, 1);

    private string _work = "";
    private ProvinceNode? _province;
    private ProvinceNode? _hub;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _work = Directory.CreateTempSubdirectory("healthcode-openapi-").FullName;
        _province = ProvinceNode.Create(_work, "410000", "河南省", new Dictionary<string, string?>());
        _hub = ProvinceNode.Create(_work, "000000", "国家枢纽", new Dictionary<string, string?> { ["HealthCode__Hub__Enabled"] = "true" }, keysFolder: "hub");
        await Task.WhenAll(_province.StartAsync(CancellationToken.None), _hub.StartAsync(CancellationToken.None));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_province is not null)
        {
            await _province.DisposeAsync();
        }

        if (_hub is not null)
        {
            await _hub.DisposeAsync();
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

    [TestCase("province")]
    [TestCase("hub")]
    public async Task Document_PassesRedoclyLint_WithTheRecommendedRules(string mode)
    {
        var json = await DocumentTextAsync(mode == "hub" ? _hub! : _province!);

        var (exit, output) = await LintAsync(json);

        // The linter's own words, in the test log whether it passes or not.
        await TestContext.Out.WriteLineAsync($"redocly lint ({mode}), exit {exit}:\n{output}");
        Assert.That(exit, Is.Zero, $"redocly lint found errors in the {mode}'s document:\n{output}");
    }

    [Test]
    public async Task ProvinceDocument_ListsOpsEndpoints_SecuritySchemes_ErrorCodes_Problems_AndMediaTypes()
    {
        var document = JsonNode.Parse(await DocumentTextAsync(_province!))!.AsObject();
        var paths = document["paths"]!.AsObject();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(paths.Select(p => p.Key), Is.SupersetOf(new[] { "/healthz", "/readyz", "/metrics", "/.well-known/healthcode/trust-list" }));
            Assert.That(paths["/metrics"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key), Does.Contain("text/plain"));
            Assert.That(schemes.Select(s => s.Key), Is.EquivalentTo(new[] { "residentSession", "staffToken", "operatorToken", "departmentToken", "adminKey" }));
            foreach (var (name, scheme) in schemes)
            {
                Assert.That(((string?)scheme!["type"], (string?)scheme["scheme"]), Is.EqualTo(("http", "bearer")), name);
            }

            foreach (var (path, item) in paths)
            {
                foreach (var (method, operation) in item!.AsObject())
                {
                    Assert.That(operation!.AsObject().ContainsKey("security"), Is.True, $"{method} {path} has no security");
                }
            }

            Assert.That(Security(paths, "/api/v1/auth/otp", "post"), Is.Empty);
            Assert.That(Security(paths, "/healthz", "get"), Is.Empty);
            Assert.That(Security(paths, "/api/v1/me/code", "get"), Is.EqualTo(new[] { "residentSession" }));
            Assert.That(Security(paths, "/api/v1/verify", "post"), Is.EqualTo(new[] { "staffToken" }));
            Assert.That(Security(paths, "/api/v1/staff/me", "get"), Is.EqualTo(new[] { "staffToken" }));
            Assert.That(Security(paths, "/api/v1/admin/staff", "post"), Is.EquivalentTo(new[] { "operatorToken:admin", "adminKey" }));
            Assert.That(Security(paths, "/api/v1/sources/{code}/batches", "post"), Is.EqualTo(new[] { "departmentToken:department:<provider>" }));

            // DESIGN §5: the verdict's error codes, every one of them.
            Assert.That(Strings(schemas["VerdictError"]!["properties"]!["code"]!["enum"]), Is.EquivalentTo(new[]
            {
                "malformed", "unsupported_format", "unknown_issuer", "unknown_key", "key_revoked", "bad_signature",
                "algorithm_not_allowed", "wrong_type", "expired", "not_yet_valid", "code_revoked", "trust_list_stale",
            }));
            Assert.That(Strings(schemas["CodeColor"]!["enum"]), Is.EquivalentTo(new[] { "green", "yellow", "red" }));
            Assert.That(Strings(schemas["Verdict"]!["properties"]!["route"]!["enum"]), Is.EquivalentTo(new[] { "own", "bilateral", "hub", "null" }));

            Assert.That(schemas["Problem"]!["properties"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "code", "errors", "title", "status" }));
            Assert.That((string?)schemas["Problem"]!["properties"]!["errors"]!["items"]!["$ref"], Is.EqualTo("#/components/schemas/FieldError"));
            Assert.That((string?)paths["/api/v1/verify"]!["post"]!["responses"]!["401"]!["content"]!["application/problem+json"]!["schema"]!["$ref"],
                Is.EqualTo("#/components/schemas/Problem"));

            var qr = paths["/api/v1/me/code/qr"]!["get"]!;
            Assert.That(qr["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key), Is.SupersetOf(new[] { "image/png", "image/svg+xml", "text/plain" }));
            var format = qr["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "format")!;
            Assert.That(Strings(format["schema"]!["enum"]), Is.EquivalentTo(new[] { "png", "svg", "text", "print" }));

            Assert.That(Strings(schemas["MyCode"]!["required"]), Does.Not.Contain("greenAfter"), "a nullable member is not required");
        });
    }

    [Test]
    public async Task HubDocument_ListsTheHubsEndpoints_AndOnlyTheOperatorSchemes()
    {
        var document = JsonNode.Parse(await DocumentTextAsync(_hub!))!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(document["paths"]!.AsObject().Select(p => p.Key),
                Is.SupersetOf(new[] { "/healthz", "/readyz", "/.well-known/healthcode/federation", "/api/v1/admin/hub/members", "/api/v1/admin/hub/members/{iss}" }));
            Assert.That(document["paths"]!.AsObject().Select(p => p.Key), Has.None.StartsWith("/api/v1/me/"));
            Assert.That(document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key), Is.EquivalentTo(new[] { "operatorToken", "adminKey" }));
        });
    }

    /// <summary>The operation's security as <c>scheme</c> or <c>scheme:role</c>, one per alternative.</summary>
    private static List<string> Security(JsonObject paths, string path, string method) =>
        [.. paths[path]![method]!["security"]!.AsArray().SelectMany(requirement => requirement!.AsObject()
            .Select(s => s.Value!.AsArray().Count == 0 ? s.Key : $"{s.Key}:{string.Join(',', Strings(s.Value))}"))];

    private static List<string> Strings(JsonNode? array) => [.. array!.AsArray().Select(v => (string?)v ?? "null")];

    private static async Task<string> DocumentTextAsync(ProvinceNode node)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"GET /openapi/v1.json: {(int)response.StatusCode}\n{text}\n{node.OutputTail()}");
        return text;
    }

    /// <summary>Runs the pinned <c>redocly lint</c> on <paramref name="json"/>, installing it with <c>npm ci</c> first when it is missing.</summary>
    private static async Task<(int Exit, string Output)> LintAsync(string json)
    {
        var tool = Path.Combine(RepoRoot.Find(), "tools", "openapi");
        var redocly = Path.Combine(tool, "node_modules", ".bin", "redocly");
        await Install.WaitAsync();
        try
        {
            if (!File.Exists(redocly))
            {
                var (exit, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], tool, InstallTimeout);
                Assert.That(exit, Is.Zero, $"npm ci in tools/openapi failed:\n{output}");
            }
        }
        finally
        {
            Install.Release();
        }

        var file = Path.Combine(Path.GetTempPath(), $"healthcode-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            return await RunAsync(redocly, ["lint", file, "--config", Path.Combine(tool, "redocly.yaml"), "--format", "stylish"], tool, LintTimeout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs a tool to its end; its exit code and everything it wrote. Fails the test if it outlasts <paramref name="timeout"/>.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName, args) { WorkingDirectory = workingDirectory };
        // No network beyond the registry npm ci needs: Redocly's usage report and update check stay off.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        var (exit, output, errors) = await ProcessRun.UntilExitAsync(start, timeout, $"{fileName} {string.Join(' ', args)}");
        return (exit, output + errors);
    }
}
