using System.Buffers.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust.Tokens;

namespace HealthCode.Integration.Federation;

/// <summary>What the tests read from the services' JSON: verdicts (DESIGN §5) and partner status.</summary>
internal static class ServiceAnswers
{
    public static bool IsValid(JsonObject verdict) => verdict["valid"]?.GetValue<bool>() == true;

    public static string? ErrorCode(JsonObject verdict) => (string?)verdict["error"]?["code"];

    /// <summary>The <c>kid</c> in the JWS header of a QR text: which key signed the code.</summary>
    public static string KidOf(string qr)
    {
        Assert.That(QrText.TryDecode(qr, out var jws), Is.True, qr);
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(jws.Split('.')[0]))!;
        return (string)header["kid"]!;
    }

    /// <summary>A verdict's <c>statusCheck</c>: <c>confirmed</c>, <c>changed</c>, <c>unavailable</c>, or null when no check was made.</summary>
    public static string? StatusCheck(JsonObject verdict) => (string?)verdict["statusCheck"];

    /// <summary>The <c>seq</c> of the list a province holds for a partner (<c>GET /api/v1/admin/partners</c>).</summary>
    public static long? SeqOf(JsonObject partner) => partner["seq"]?.GetValue<long>();

    /// <summary>When this instance itself last fetched the partner's list; null when it never did (it only read it from the shared cache).</summary>
    public static DateTimeOffset? LastFetchAt(JsonObject partner) => partner["lastFetchAt"]?.GetValue<DateTimeOffset>();

    /// <summary>When this instance last took a new list of the partner, by its own fetch or from the shared cache.</summary>
    public static DateTimeOffset? ListReceivedAt(JsonObject partner) => partner["listReceivedAt"]?.GetValue<DateTimeOffset>();
}
