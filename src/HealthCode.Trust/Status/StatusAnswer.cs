using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using HealthCode.Trust.Jose;

namespace HealthCode.Trust.Status;

/// <summary>
/// The issuing province's answer to a verified <see cref="StatusRequest"/>: the code's current colour and status
/// version, so a colour change within a token's lifetime shows at a partner's checkpoint. Plain JSON (camelCase, DESIGN
/// §5) over TLS, not signed: the asker reaches the issuer at a URL it got from the operator-registered partner record or
/// the hub-signed federation list, so TLS (RFC 8446) authenticates who answers, and the answer is used only at once, for
/// one scan, never stored or passed on (docs/FEDERATION-FORMAT.md §3.3).
/// </summary>
/// <param name="Sub">The code id asked about; the asker checks that it is the one it asked for.</param>
/// <param name="Color"><c>green</c>, <c>yellow</c> or <c>red</c>.</param>
/// <param name="StatusVersion">The code record's status version (the token's <c>v</c>): a higher one than the token's means the token is stale.</param>
/// <param name="UpdatedAt">When the status last changed (UTC).</param>
public sealed record StatusAnswer(string Sub, string Color, int StatusVersion, DateTimeOffset UpdatedAt)
{
    /// <summary>The largest answer read, in bytes.</summary>
    public const int MaxLength = 1024;

    /// <summary>The JSON name of a colour: <c>green</c>, <c>yellow</c> or <c>red</c>.</summary>
    /// <param name="color">The colour.</param>
    /// <returns>Its name.</returns>
    public static string ColorName(CodeColor color) => color switch
    {
        CodeColor.Green => "green",
        CodeColor.Yellow => "yellow",
        CodeColor.Red => "red",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown colour."),
    };

    /// <summary>The answer as JSON: <c>{"sub","color","statusVersion","updatedAt"}</c>, the time as RFC 3339 UTC.</summary>
    /// <returns>Compact JSON.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Es256Jws.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", Sub);
            writer.WriteString("color", Color);
            writer.WriteNumber("statusVersion", StatusVersion);
            writer.WriteString("updatedAt", UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads an answer; false for anything that is not exactly the documented shape (a colour outside the three, a negative version, a missing member).</summary>
    /// <param name="json">The response body.</param>
    /// <param name="answer">The answer when it is valid.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool TryParse(string? json, [NotNullWhen(true)] out StatusAnswer? answer)
    {
        answer = null;
        if (json is null || json.Length > MaxLength)
        {
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json, Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !Es256Jws.TryString(root, "sub", out string? sub)
                || !Es256Jws.TryString(root, "color", out string? color) || color is not ("green" or "yellow" or "red")
                || !root.TryGetProperty("statusVersion", out JsonElement version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out int statusVersion) || statusVersion < 0
                || !root.TryGetProperty("updatedAt", out JsonElement updated) || updated.ValueKind != JsonValueKind.String
                || !updated.TryGetDateTimeOffset(out DateTimeOffset updatedAt))
            {
                return false;
            }

            answer = new StatusAnswer(sub, color, statusVersion, updatedAt.ToUniversalTime());
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
