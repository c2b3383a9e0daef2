using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthCode.Integration.Tests;

/// <summary>
/// What the page tests need from the running service, through its public HTTP API only: an
/// operator enrolling and revoking staff (DESIGN §5 admin), and a resident with a declared code.
/// </summary>
internal sealed class ServiceClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client of the service the page tests share (<see cref="ServiceFixture"/>).</summary>
    public ServiceClient()
        : this(ServiceFixture.Api.BaseAddress)
    {
    }

    /// <summary>A client of the service at <paramref name="baseAddress"/>, e.g. one province of a federation.</summary>
    public ServiceClient(Uri baseAddress)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary><c>POST /api/v1/admin/staff</c> with the operator key → a staff bearer token.</summary>
    public async Task<StaffMember> EnrolStaffAsync(string checkpointId, string name = "王检查")
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/admin/staff", ApiProcess.AdminApiKey, new { name, checkpointId });
        var body = await ReadAsync(response, HttpStatusCode.Created);
        return new StaffMember(body["staffId"]!.ToString(), body["token"]!.GetValue<string>(), checkpointId);
    }

    /// <summary><c>DELETE /api/v1/admin/staff/{id}</c>: every token of that staff member stops working at once.</summary>
    public async Task RevokeStaffAsync(StaffMember staff)
    {
        using var response = await SendAsync(
            HttpMethod.Delete, $"/api/v1/admin/staff/{Uri.EscapeDataString(staff.StaffId)}", ApiProcess.AdminApiKey);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Logs a new resident in with the Development <c>devCode</c> and declares; returns the session
    /// token. A healthy declaration scores green; contact with a confirmed case scores red (DESIGN §6).
    /// </summary>
    public async Task<string> DeclareResidentAsync(string name, string idNumber, bool confirmedCaseContact = false)
    {
        var phone = ResidentPage.NewPhone();
        var token = await LogInResidentAsync(phone);
        await DeclareAsync(token, phone, name, idNumber, confirmedCaseContact);
        return token;
    }

    /// <summary><c>POST /api/v1/auth/otp</c> then <c>/auth/login</c> with the Development <c>devCode</c>: a resident session token.</summary>
    public async Task<string> LogInResidentAsync(string phone)
    {
        using var otp = await SendAsync(HttpMethod.Post, "/api/v1/auth/otp", token: null, new { phone });
        var devCode = (await ReadAsync(otp, HttpStatusCode.Accepted))["devCode"]!.GetValue<string>();
        using var login = await SendAsync(HttpMethod.Post, "/api/v1/auth/login", token: null, new { phone, code = devCode });
        return (await ReadAsync(login, HttpStatusCode.OK))["token"]!.GetValue<string>();
    }

    /// <summary>
    /// <c>POST /api/v1/declarations</c> as the resident of <paramref name="residentToken"/>: healthy,
    /// in Zhengzhou (or <paramref name="region"/>), no travel; with contact with a confirmed case when asked
    /// (red, DESIGN §6), with a fever of 37.8 °C when asked (yellow).
    /// Returns <c>{codeId, color, reasons, statusVersion}</c>.
    /// </summary>
    public async Task<JsonObject> DeclareAsync(
        string residentToken, string phone, string name, string idNumber, bool confirmedCaseContact = false, string region = "410100", bool fever = false)
    {
        using var declared = await SendAsync(HttpMethod.Post, "/api/v1/declarations", residentToken, new
        {
            name,
            idNumber,
            phone,
            region,
            travel = Array.Empty<object>(),
            symptoms = Array.Empty<string>(),
            temperature = fever ? 37.8m : 36.5m,
            contact = new { confirmedCase = confirmedCaseContact, suspectedCase = false, closeContactNotice = false },
        });
        return await ReadAsync(declared, HttpStatusCode.Created);
    }

    /// <summary><c>GET /api/v1/me/code/qr?format=png</c>: the image a resident shows (a freshly signed token).</summary>
    public async Task<byte[]> GetQrPngAsync(string residentToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/me/code/qr?format=png", residentToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary><c>GET /api/v1/me/code/qr?format=text</c>: exactly what the QR holds, as a scan gun types it.</summary>
    public async Task<string> GetQrTextAsync(string residentToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/me/code/qr?format=text", residentToken);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return text;
    }

    /// <summary><c>POST /api/v1/verify</c> as <paramref name="staff"/> at their checkpoint → the verdict (200 for every input).</summary>
    public async Task<JsonObject> VerifyAsync(StaffMember staff, string qr)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/verify", staff.Token, new { qr, checkpointId = staff.CheckpointId });
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    /// <summary><c>POST /api/v1/lookup</c> as <paramref name="staff"/> at their checkpoint: a resident without a phone, by ID card; must be found.</summary>
    public async Task<JsonObject> LookupAsync(StaffMember staff, string idNumber, string name)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/lookup", staff.Token, new { idNumber, name, checkpointId = staff.CheckpointId });
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    /// <summary><c>GET /api/v1/office/people</c> as a grassroots office's operator: the first page of its yellow and red people.</summary>
    public async Task<JsonObject> OfficePeopleAsync(string officeToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/office/people", officeToken);
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    /// <summary>An operator call (<c>/api/v1/admin/...</c>) that must answer <paramref name="expected"/>; returns the JSON body, if any.</summary>
    public async Task<JsonNode?> OperatorAsync(HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var response = await SendAsync(method, path, ApiProcess.AdminApiKey, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{method} {path}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>A GET that answers whatever it answers (health, metrics): the status and the body text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetTextAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return _http.SendAsync(request);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A staff member as the operator API created them.</summary>
internal sealed record StaffMember(string StaffId, string Token, string CheckpointId);
