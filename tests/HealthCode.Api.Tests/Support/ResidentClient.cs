using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Support;

/// <summary>What a resident's phone does, through the public API only.</summary>
internal sealed class ResidentClient(HttpClient http, string? phone = null)
{
    private static int nextPhone = Random.Shared.Next(10_000_000, 40_000_000);

    public HttpClient Http { get; } = http;

    public string Phone { get; } = phone ?? "139" + Interlocked.Increment(ref nextPhone).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    public string? Token { get; set; }

    /// <summary>Asks for a code (Development echoes it as devCode) and logs in with it.</summary>
    public async Task<ResidentClient> LogInAsync()
    {
        var otp = await Http.PostAsJsonAsync("/api/v1/auth/otp", new { phone = Phone });
        Assert.That(otp.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await otp.Content.ReadAsStringAsync());
        var devCode = (await otp.Content.ReadFromJsonAsync<JsonObject>())!["devCode"]!.GetValue<string>();

        var login = await Http.PostAsJsonAsync("/api/v1/auth/login", new { phone = Phone, code = devCode });
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync());
        Token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        return this;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> DeclareAsync(object declaration) => SendAsync(HttpMethod.Post, "/api/v1/declarations", declaration);

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}

/// <summary>Valid declarations to start from; tests change one field at a time.</summary>
internal static class Declarations
{
    /// <summary>A valid GB 11643-1999 number (its check character is X).</summary>
    public const string ValidId = "11010519491231002X";

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>
    /// A clean declaration of the resident with this phone. Each phone declares its own person (DESIGN §8:
    /// an ID number held by another phone is refused), whose ID number is <see cref="IdFor"/>.
    /// </summary>
    public static Dictionary<string, object?> Clean(string phone) => new()
    {
        ["name"] = "张三艺",
        ["idNumber"] = IdFor(phone),
        ["phone"] = phone,
        ["region"] = "410100",
        ["travel"] = Array.Empty<object>(),
        ["symptoms"] = Array.Empty<string>(),
        ["temperature"] = 36.5,
        ["contact"] = new { confirmedCase = false, suspectedCase = false, closeContactNotice = false },
        ["lastTest"] = null,
    };

    public static Dictionary<string, object?> With(this Dictionary<string, object?> declaration, string field, object? value)
    {
        declaration[field] = value;
        return declaration;
    }

    public static string Serialize(object value) => JsonSerializer.Serialize(value);

    /// <summary>
    /// A valid ID number (a region, a birth date, a sequence number and the ISO 7064 MOD 11-2 check
    /// character of GB 11643-1999) that only the resident with this phone declares: the phone's digits
    /// choose the birth date and the sequence number. <paramref name="member"/> 1 to 6 gives the ID
    /// numbers of that resident's family members (another region).
    /// </summary>
    public static string IdFor(string phone, int member = 0)
    {
        var n = long.Parse(phone[3..], System.Globalization.CultureInfo.InvariantCulture);
        var birth = new DateOnly(1950, 1, 1).AddDays((int)(n / 1000 % 18_000));
        var region = MemberRegions[member];
        var body = region + birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + (n % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
        var sum = body.Select((c, i) => (c - '0') * Weights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }

    private static readonly string[] MemberRegions = ["110105", "410105", "330106", "440103", "310101", "410102", "410103"];
}
