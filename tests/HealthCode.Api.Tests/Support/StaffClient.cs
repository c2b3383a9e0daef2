using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Support;

/// <summary>An operator enrols a staff member; the staff member scans and looks up, through the public API only.</summary>
internal sealed class StaffClient
{
    private StaffClient(HttpClient http, string staffId, string token, string checkpointId)
    {
        Http = http;
        StaffId = staffId;
        Token = token;
        CheckpointId = checkpointId;
    }

    public HttpClient Http { get; }

    public string StaffId { get; }

    public string Token { get; }

    public string CheckpointId { get; }

    /// <summary>Enrols a staff member as the operator of <paramref name="key"/> (the bootstrap key, or a named admin's token).</summary>
    public static async Task<StaffClient> EnrolAsync(HttpClient http, string checkpointId = "metro-line1-gate3", string key = HealthCodeFactory.OperatorKey)
    {
        var created = await Operator(http, HttpMethod.Post, "/api/v1/admin/staff", new { name = "王检查", checkpointId }, key);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        return new StaffClient(http, body["staffId"]!.GetValue<string>(), body["token"]!.GetValue<string>(), checkpointId);
    }

    public static Task<HttpResponseMessage> Operator(HttpClient http, HttpMethod method, string path, object? body = null, string key = HealthCodeFactory.OperatorKey)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token);
        return Http.SendAsync(request);
    }

    /// <summary>Scans a code and returns the verdict, which is 200 for every input.</summary>
    public async Task<JsonObject> VerifyAsync(string qr)
    {
        var response = await PostAsync("/api/v1/verify", new { qr, checkpointId = CheckpointId });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public Task<HttpResponseMessage> LookupAsync(string idNumber, string name) =>
        PostAsync("/api/v1/lookup", new { idNumber, name, checkpointId = CheckpointId });

    public static string? ErrorCode(JsonObject verdict) => verdict["error"]?["code"]?.GetValue<string>();
}
