using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;

namespace HealthCode.Api.Tests.Support;

/// <summary>
/// A department that shares data (DESIGN §9), through the public API only: registered with a key of its own by the
/// bootstrap operator key, with one catalogue entry of a kind, and an operator account of role department:&lt;code&gt;
/// that uploads signed batches and reads their state.
/// </summary>
internal sealed class SharingClient : IDisposable
{
    private static int next = RandomNumberGenerator.GetInt32(0, 900_000);

    private SharingClient(HttpClient http, TimeProvider time, string department, string source, EcKey key, string token)
    {
        Http = http;
        Time = time;
        Department = department;
        Source = source;
        Key = key;
        Token = token;
    }

    public HttpClient Http { get; }

    /// <summary>The service's clock: a manifest is produced "now" for the service.</summary>
    public TimeProvider Time { get; }

    public string Department { get; }

    /// <summary>The catalogue entry's code.</summary>
    public string Source { get; }

    /// <summary>The department's private key, which signs its manifests.</summary>
    public EcKey Key { get; }

    /// <summary>The department operator's bearer token.</summary>
    public string Token { get; }

    /// <summary>Registers a new department with an entry of <paramref name="kind"/> and an operator for it.</summary>
    public static async Task<SharingClient> CreateAsync(HealthCodeFactory service, HttpClient http, string kind, string entryName = "密切接触者名单")
    {
        var department = "T" + Interlocked.Increment(ref next).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var key = EcKey.Generate();
        var registered = await StaffClient.Operator(http, HttpMethod.Post, "/api/v1/admin/departments",
            new { code = department, name = $"测试部门 {department}", key = JsonNode.Parse(key.ToPublicJwk()) });
        Assert.That(registered.StatusCode, Is.EqualTo(HttpStatusCode.Created), await registered.Content.ReadAsStringAsync());
        var entry = CatalogSamples.Entry(department);
        entry["kind"] = kind;
        entry["name"] = entryName;
        var published = await CatalogSamples.AddAsync(http, entry);
        return new SharingClient(http, service.Time, department, published["code"]!.GetValue<string>(), key, await OperatorTokenAsync(http, $"department:{department}"));
    }

    /// <summary>A named operator with these roles, created with the bootstrap key; its token.</summary>
    public static async Task<string> OperatorTokenAsync(HttpClient http, params string[] roles) =>
        (await NamedOperator.CreateAsync(http, "数据员 " + string.Join('+', roles), roles)).Token;

    /// <summary>The manifest this department signs for <paramref name="body"/> (rows counted as the CLI counts them).</summary>
    public string Manifest(string body, string batchId, long? rows = null, string? source = null, EcKey? key = null) =>
        BatchManifestCodec.Sign(
            new BatchManifest(source ?? Source, batchId, BatchManifest.Sha256Text(SHA256.HashData(Encoding.UTF8.GetBytes(body))), rows ?? Rows(body), Time.GetUtcNow().AddSeconds(-1)),
            key ?? Key);

    /// <summary>Uploads <paramref name="body"/> with its manifest (or <paramref name="manifest"/>) as <paramref name="mediaType"/>.</summary>
    public Task<HttpResponseMessage> UploadAsync(string body, string batchId, string mediaType = "text/csv", string? manifest = null, string? token = null, string? source = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sources/{source ?? Source}/batches")
        {
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        request.Headers.Add("Sharing-Manifest", manifest ?? Manifest(body, batchId));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        return Http.SendAsync(request);
    }

    /// <summary>Uploads and waits until the batch is applied or rejected; returns its final state.</summary>
    public async Task<JsonObject> UploadAndWaitAsync(string body, string batchId, string mediaType = "text/csv")
    {
        var response = await UploadAsync(body, batchId, mediaType);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return await WaitAsync(batchId);
    }

    /// <summary>Polls the batch's state (bounded: 60 s) until it is applied or rejected.</summary>
    public async Task<JsonObject> WaitAsync(string batchId)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await StatusAsync(batchId);
            if (status["status"]!.GetValue<string>() is "applied" or "rejected")
            {
                return status;
            }

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), $"batch {batchId} is still {status.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public async Task<JsonObject> StatusAsync(string batchId) =>
        await FindStatusAsync(batchId) ?? throw new AssertionException($"batch {batchId} is not known to the service");

    /// <summary>The batch's status, or null while the service has not recorded it (answered 404 batch_not_found).</summary>
    public async Task<JsonObject?> FindStatusAsync(string batchId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sources/{Source}/batches/{batchId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var response = await Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            await Problems.AssertAsync(response, HttpStatusCode.NotFound, "batch_not_found");
            return null;
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Data rows: CSV records after the header, or non-blank NDJSON lines (the simple files tests write).</summary>
    public static long Rows(string body)
    {
        var lines = body.Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        return lines.Length > 0 && !lines[0].TrimStart().StartsWith('{') ? lines.Length - 1 : lines.Length;
    }

    public void Dispose() => Key.Dispose();
}
