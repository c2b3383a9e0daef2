using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Verification.Rules;

/// <summary>The payload as read, before the signature is checked: only <c>iss</c> is used before then (to find the key).</summary>
internal readonly record struct TokenClaims(
    string Issuer,
    string CodeId,
    long IssuedAt,
    long ExpiresAt,
    long? NotBefore,
    CodeColor Color,
    string MaskedName,
    string IdTail,
    int StatusVersion)
{
    public HealthCodeClaims ToClaims() => new(
        Issuer,
        CodeId,
        DateTimeOffset.FromUnixTimeSeconds(IssuedAt),
        DateTimeOffset.FromUnixTimeSeconds(ExpiresAt),
        Color,
        MaskedName,
        IdTail,
        StatusVersion);
}

/// <summary>
/// Reads the JWS payload (RFC 7519 §4): every claim of docs/TOKEN-FORMAT.md required, with its type;
/// a claim twice is malformed (RFC 7519 §4 lets a parser reject duplicates); claims it does not know are
/// ignored (RFC 7519 §4: "all claims that are not understood … MUST be ignored").
/// </summary>
internal static class ClaimsReader
{
    // RFC 7519 §2 NumericDate, limited to what DateTimeOffset holds (years 1970..9999).
    private const long MaxNumericDate = 253_402_300_799;

    public static bool TryRead(ReadOnlySpan<byte> encoded, out TokenClaims claims)
    {
        claims = default;
        Span<byte> json = stackalloc byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromUtf8(encoded, json, out _, out int length) != OperationStatus.Done)
        {
            return false;
        }

        try
        {
            return TryReadJson(json[..length], out claims);
        }
        catch (JsonException)
        {
            return false; // not JSON, or data after the object
        }
        catch (InvalidOperationException)
        {
            return false; // a string that is not valid UTF-8
        }
    }

    private static bool TryReadJson(ReadOnlySpan<byte> json, out TokenClaims claims)
    {
        claims = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? iss = null, sub = null, name = null, tail = null;
        long? iat = null, exp = null, nbf = null;
        CodeColor? color = null;
        int? version = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals(TokenFormat.Iss))
            {
                ok = iss is null && TryString(ref reader, out iss);
            }
            else if (reader.ValueTextEquals(TokenFormat.Sub))
            {
                ok = sub is null && TryString(ref reader, out sub);
            }
            else if (reader.ValueTextEquals(TokenFormat.Iat))
            {
                ok = iat is null && TryNumericDate(ref reader, out iat);
            }
            else if (reader.ValueTextEquals(TokenFormat.Exp))
            {
                ok = exp is null && TryNumericDate(ref reader, out exp);
            }
            else if (reader.ValueTextEquals(TokenFormat.Nbf))
            {
                ok = nbf is null && TryNumericDate(ref reader, out nbf);
            }
            else if (reader.ValueTextEquals(TokenFormat.Color))
            {
                ok = color is null && TryColor(ref reader, out color);
            }
            else if (reader.ValueTextEquals(TokenFormat.Name))
            {
                ok = name is null && TryString(ref reader, out name);
            }
            else if (reader.ValueTextEquals(TokenFormat.IdTail))
            {
                ok = tail is null && TryString(ref reader, out tail);
            }
            else if (reader.ValueTextEquals(TokenFormat.Version))
            {
                ok = version is null && reader.Read() && reader.TokenType == JsonTokenType.Number
                    && reader.TryGetInt32(out int v) && v >= 0 && (version = v) is not null;
            }
            else
            {
                reader.Skip();
                ok = true;
            }

            if (!ok)
            {
                return false;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return false;
        }

        // docs/TOKEN-FORMAT.md §3: t is at most the last 4 characters of the ID number. A longer one is no
        // token this format allows (an issuer that puts more of the ID number in a QR breaks DESIGN §4.1).
        if (string.IsNullOrEmpty(iss) || string.IsNullOrEmpty(sub) || name is null || tail is null
            || tail.Length > TokenFormat.MaxIdTailLength
            || iat is null || exp is null || color is null || version is null || exp <= iat)
        {
            return false;
        }

        claims = new TokenClaims(iss, sub, iat.Value, exp.Value, nbf, color.Value, name, tail, version.Value);
        return true;
    }

    private static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return value is not null;
    }

    private static bool TryNumericDate(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        if (reader.Read() && reader.TokenType == JsonTokenType.Number
            && reader.TryGetInt64(out long seconds) && seconds is >= 0 and <= MaxNumericDate)
        {
            value = seconds;
        }

        return value is not null;
    }

    private static bool TryColor(ref Utf8JsonReader reader, out CodeColor? color)
    {
        color = null;
        if (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            color = reader.ValueTextEquals(TokenFormat.Green) ? CodeColor.Green
                : reader.ValueTextEquals(TokenFormat.Yellow) ? CodeColor.Yellow
                : reader.ValueTextEquals(TokenFormat.Red) ? CodeColor.Red
                : null;
        }

        return color is not null;
    }
}
