using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthCode.Integration.Tests;

/// <summary>
/// A service of its own with the people around a resident's disputes and overrides (DESIGN §9, §10), set up through
/// the public API only: the sample CDC and health commission (WJW), each with its public key from
/// <c>keys-sample/departments/</c>, the CDC's close-contact list and the WJW's risk areas from the sample catalogue, a
/// named operator of each department whose batches the real <c>healthcode batch upload</c> signs with the sample
/// department's private key, and named health operators. Its own service, because the sample department and catalogue
/// codes are registered once per service and the shared one is left to the other tests.
/// </summary>
internal sealed class AccountabilityClient : IAsyncDisposable
{
    /// <summary>The sample catalogue's close-contact list (<c>deploy/sample-data/catalog.json</c>), provided by the CDC.</summary>
    public const string Source = "410000-CDC-002";

    public const string SourceName = "密切接触者名单";

    public const string Department = "CDC";

    /// <summary>The sample catalogue's risk areas, provided by the health commission (WJW): a designation of a region, not a fact about a person.</summary>
    public const string RiskAreas = "410000-WJW-001";

    public const string RiskAreasName = "中高风险地区名单";

    private const string Commission = "WJW";

    private const string CaseRef = "HA-PAGE-1";

    private readonly ApiProcess? _service;
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _departmentTokens;

    private AccountabilityClient(ApiProcess? service, HttpClient http, IReadOnlyDictionary<string, string> departmentTokens)
    {
        _service = service;
        _http = http;
        _departmentTokens = departmentTokens;
    }

    private string DepartmentToken => _departmentTokens[Department];

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>What the service wrote to its console, for a failed test's report (empty for a service it did not start).</summary>
    public string Output => _service?.Output ?? "";

    /// <summary>Starts the service and registers the sample CDC and WJW, their lists and their operators.</summary>
    public static async Task<AccountabilityClient> StartAsync(CancellationToken cancellationToken)
    {
        var service = await ApiProcess.StartAsync(cancellationToken);
        try
        {
            return await ConnectAsync(service.BaseAddress, service, cancellationToken);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Registers the sample CDC and WJW, their lists and their operators at a province already running at
    /// <paramref name="baseAddress"/> (e.g. several instances behind one front); <paramref name="service"/>, when given,
    /// is stopped with this client.
    /// </summary>
    public static async Task<AccountabilityClient> ConnectAsync(Uri baseAddress, ApiProcess? service, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var catalog = JsonNode.Parse(await File.ReadAllTextAsync(SampleData("catalog.json"), cancellationToken))!;
            var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (code, entryCode) in new[] { (Department, Source), (Commission, RiskAreas) })
            {
                var department = catalog["departments"]!.AsArray().Single(d => d!["code"]!.GetValue<string>() == code)!;
                var key = JsonNode.Parse(await File.ReadAllTextAsync(DepartmentKey(code, "public"), cancellationToken));
                await SendAsync(http, HttpMethod.Post, "/api/v1/admin/departments", ApiProcess.AdminApiKey,
                    new { code, name = department["name"]!.GetValue<string>(), key }, HttpStatusCode.Created);
                var entry = catalog["entries"]!.AsArray().Single(e => e!["code"]!.GetValue<string>() == entryCode)!;
                await SendAsync(http, HttpMethod.Post, "/api/v1/admin/catalog", ApiProcess.AdminApiKey, entry.DeepClone(), HttpStatusCode.Created);
                tokens[code] = await OperatorAsync(http, $"{code} 数据员", $"department:{code}");
            }

            return new AccountabilityClient(service, http, tokens);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>A named health operator's token.</summary>
    public Task<string> HealthOperatorAsync(string name) => OperatorAsync(_http, name, "health");

    /// <summary>The CDC's list naming the person as a close contact until a week from now (China Standard Time).</summary>
    public static string CloseContact(string idNumber, string name)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        return $"idNumber,name,notifiedAt,until,caseRef\n{idNumber},{name},{now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)},{now.AddDays(7):yyyy-MM-dd},{CaseRef}\n";
    }

    /// <summary>The CDC's batch that retracts that row (<c>op</c> <c>retract</c>, docs/BATCH-FORMAT.md §3).</summary>
    public static string Retraction(string idNumber) => $"idNumber,name,notifiedAt,until,caseRef,op\n{idNumber},,,,{CaseRef},retract\n";

    /// <summary>The health commission's designation of <paramref name="region"/> as a high-risk area from today for a week.</summary>
    public static string HighRiskArea(string region)
    {
        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        return $"region,level,from,to\n{region},high,{today:yyyy-MM-dd},{today.AddDays(7):yyyy-MM-dd}\n";
    }

    /// <summary>
    /// Uploads <paramref name="csv"/> to the close-contact list (or, with <paramref name="riskAreas"/>, to the risk
    /// areas) as batch <paramref name="batchId"/> with the real <c>healthcode batch upload</c> (the CLI's build output),
    /// signed with the sample department's private key; returns once the CLI reports it applied.
    /// </summary>
    public async Task UploadAsync(string csv, string batchId, bool riskAreas = false)
    {
        var (department, source) = riskAreas ? (Commission, RiskAreas) : (Department, Source);
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{batchId}-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, csv);
        var (exit, output, errors) = await HealthCodeCli.RunAsync(
            TimeSpan.FromSeconds(90),
            "batch", "upload", "--url", BaseAddress.ToString().TrimEnd('/'), "--token", _departmentTokens[department],
            "--key", DepartmentKey(department, "private"), "--source", source, "--file", file, "--batch-id", batchId, "--wait", "60");
        var said = output + errors;
        Assert.That(exit, Is.Zero, $"healthcode batch upload {batchId}:\n{said}");
        Assert.That(said, Does.Contain("applied"), said);
    }

    /// <summary>
    /// Uploads <paramref name="csv"/> to the close-contact list as batch <paramref name="batchId"/> at
    /// <paramref name="at"/> (one instance of several, say) and returns once it was received, applied or not yet.
    /// </summary>
    public async Task UploadWithoutWaitingAsync(string csv, string batchId, Uri at)
    {
        var file = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{batchId}-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, csv);
        var (exit, output, errors) = await HealthCodeCli.RunAsync(
            TimeSpan.FromSeconds(120),
            "batch", "upload", "--url", at.ToString().TrimEnd('/'), "--token", DepartmentToken,
            "--key", DepartmentKey(Department, "private"), "--source", Source, "--file", file, "--batch-id", batchId, "--wait", "1");
        var said = output + errors;
        Assert.That(exit == 0 || said.Contains($"batch {batchId} is still", StringComparison.Ordinal), Is.True, $"healthcode batch upload {batchId}:\n{said}");
    }

    /// <summary><c>GET /api/v1/sources/{code}/batches/{id}</c> as the CDC's operator, at <paramref name="at"/> (default: this client's address).</summary>
    public async Task<JsonNode> BatchStatusAsync(string batchId, Uri? at = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(at ?? BaseAddress, $"/api/v1/sources/{Source}/batches/{batchId}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DepartmentToken);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"batch {batchId}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary><c>GET /api/v1/admin/disputes</c> as the CDC's operator: the CDC's queue.</summary>
    public async Task<JsonArray> DepartmentQueueAsync(string query = "") =>
        (await SendAsync(_http, HttpMethod.Get, "/api/v1/admin/disputes" + query, DepartmentToken, null, HttpStatusCode.OK))!["items"]!.AsArray();

    /// <summary>The audit's operator actions on <paramref name="target"/> (read with the configured key, an admin), in order.</summary>
    public async Task<List<JsonNode>> AuditOfAsync(string target)
    {
        var audit = (await SendAsync(_http, HttpMethod.Get, "/api/v1/admin/audit", ApiProcess.AdminApiKey, null, HttpStatusCode.OK))!;
        return [.. audit["entries"]!.AsArray().Where(e => e!["target"]?.GetValue<string>() == target).Select(e => e!)];
    }

    /// <summary>An operator call that must answer <paramref name="expected"/>; its JSON body, if any.</summary>
    public Task<JsonNode?> SendAsync(HttpMethod method, string path, string token, object? body, HttpStatusCode expected) =>
        SendAsync(_http, method, path, token, body, expected);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    private static async Task<string> OperatorAsync(HttpClient http, string name, string role) =>
        (await SendAsync(http, HttpMethod.Post, "/api/v1/admin/operators", ApiProcess.AdminApiKey, new { name, roles = new[] { role } }, HttpStatusCode.Created))!["token"]!.GetValue<string>();

    private static async Task<JsonNode?> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{method} {path}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static string SampleData(string file) => Path.Combine(RepoRoot.Find(), "deploy", "sample-data", file);

    private static string DepartmentKey(string code, string part) => Path.Combine(RepoRoot.Find(), "keys-sample", "departments", code, $"{code}.{part}.jwk");
}
