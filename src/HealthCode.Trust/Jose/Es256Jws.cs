using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Jose;

/// <summary>Why a compact JWS failed the checks every signed document of this service shares (before its own payload rules).</summary>
internal enum JwsFailure
{
    /// <summary>Too long, not three base64url segments, or a header that is not the expected JSON object.</summary>
    Malformed,

    /// <summary>The header <c>alg</c> is not ES256.</summary>
    AlgorithmNotAllowed,

    /// <summary>The header <c>typ</c> is not the one expected.</summary>
    WrongType,
}

/// <summary>
/// The ES256 compact JWS (RFC 7515 §7.1) that trust lists, federation lists and status requests share: one place that
/// writes the header and signature, and one that splits, reads the header, and checks the signature, so the three
/// codecs cannot drift apart. Health codes keep their own span-based path (<c>HealthCodeVerifier</c>): it is the hot path.
/// </summary>
internal static class Es256Jws
{
    /// <summary>The only algorithm (RFC 7518 §3.4; RFC 8725 §3.1).</summary>
    public const string Algorithm = "ES256";

    /// <summary>RFC 7518 §3.4: r‖s, 32 bytes each.</summary>
    public const int SignatureSize = 64;

    /// <summary>Base64url length of a 64-byte signature without padding.</summary>
    public const int SignatureB64Length = 86;

    /// <summary>RFC 7519 §2 NumericDate, limited to what <see cref="DateTimeOffset"/> holds.</summary>
    public const long MaxNumericDate = 253_402_300_799;

    /// <summary>Names are written as UTF-8, not \uXXXX, so an operator can read a payload; HTML-sensitive characters are still escaped.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>RFC 7515 §4 / RFC 7519 §4: a member twice is rejected rather than guessed at.</summary>
    public static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    /// <summary>Signs <paramref name="payload"/> with header <c>{"alg":"ES256","typ":…,"kid":…}</c> (in that order, no whitespace).</summary>
    /// <param name="type">The explicit <c>typ</c> (RFC 8725 §3.11).</param>
    /// <param name="key">A key with its private part.</param>
    /// <param name="payload">The UTF-8 JSON payload.</param>
    /// <returns>The compact JWS.</returns>
    public static string Sign(string type, EcKey key, ReadOnlySpan<byte> payload)
    {
        if (!key.HasPrivateKey)
        {
            throw new ArgumentException($"Key {key.Kid} holds only its public part; it cannot sign.", nameof(key));
        }

        byte[] header = Encoding.UTF8.GetBytes($"{{\"alg\":\"{Algorithm}\",\"typ\":\"{type}\",\"kid\":\"{key.Kid}\"}}");

        // RFC 7515 §5.1: signature over ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), as r‖s (RFC 7518 §3.4).
        string signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        byte[] signature = key.Ecdsa.SignData(
            Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Splits a compact JWS and checks its header: at most <paramref name="maxLength"/> characters (checked before
    /// anything is parsed; surrounding whitespace is then ignored), three base64url segments, a header that is a JSON
    /// object with a string <c>alg</c> and no <c>crit</c> (RFC 7515 §4.1.11: no extension is understood), <c>alg</c>
    /// ES256 (RFC 8725 §3.1) and <c>typ</c> exactly <paramref name="type"/> (RFC 8725 §3.11). Neither the signature
    /// nor the payload is looked at yet. With <paramref name="onlyMembers"/>, a header member not in it is malformed
    /// (a document whose header is fixed, e.g. a batch manifest's <c>{alg, typ, kid}</c>, carries no <c>jwk</c>,
    /// <c>jku</c> or <c>x5u</c>, RFC 8725 §3.10).
    /// </summary>
    public static bool TryParse(
        string? jws, int maxLength, string type, [NotNullWhen(true)] out ParsedJws? parsed, out JwsFailure failure, IReadOnlySet<string>? onlyMembers = null)
    {
        parsed = null;
        failure = JwsFailure.Malformed;
        if (jws is null || jws.Length > maxLength)
        {
            return false;
        }

        string text = jws.Trim();
        if (!TrySplit(text, out int firstDot, out int secondDot))
        {
            return false;
        }

        if (ReadHeader(text.AsSpan(0, firstDot), type, onlyMembers, out string? kid) is { } headerFailure)
        {
            failure = headerFailure;
            return false;
        }

        parsed = new ParsedJws(text, firstDot, secondDot, kid);
        return true;
    }

    /// <summary>The error code shared by every codec for a <see cref="JwsFailure"/>, mapped by the caller to its own enum.</summary>
    public static TError Map<TError>(JwsFailure failure, TError malformed, TError algorithmNotAllowed, TError wrongType) => failure switch
    {
        JwsFailure.AlgorithmNotAllowed => algorithmNotAllowed,
        JwsFailure.WrongType => wrongType,
        _ => malformed,
    };

    /// <summary>Base64url without padding (RFC 4648 §5); never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, out byte[] bytes)
    {
        bytes = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        if (Base64Url.DecodeFromChars(encoded, bytes, out int consumed, out int written) != OperationStatus.Done || consumed != encoded.Length)
        {
            bytes = [];
            return false;
        }

        bytes = bytes[..written];
        return true;
    }

    /// <summary>A non-empty string member.</summary>
    public static bool TryString(JsonElement element, string name, [NotNullWhen(true)] out string? value)
    {
        value = element.TryGetProperty(name, out JsonElement property) && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;
        return !string.IsNullOrEmpty(value);
    }

    /// <summary>False when present but not an integer NumericDate (RFC 7519 §2); true with null when absent.</summary>
    public static bool TryNumericDate(JsonElement element, string name, out long? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out JsonElement property))
        {
            return true;
        }

        if (property.ValueKind == JsonValueKind.Number && property.TryGetInt64(out long seconds) && seconds is >= 0 and <= MaxNumericDate)
        {
            value = seconds;
            return true;
        }

        return false;
    }

    /// <summary>A required integer NumericDate.</summary>
    public static bool TryRequiredNumericDate(JsonElement element, string name, out long value)
    {
        value = 0;
        if (!TryNumericDate(element, name, out long? read) || read is null)
        {
            return false;
        }

        value = read.Value;
        return true;
    }

    /// <summary>RFC 7515 §7.1: three base64url segments (RFC 4648 §5, no padding) joined by exactly two dots.</summary>
    private static bool TrySplit(string text, out int firstDot, out int secondDot)
    {
        firstDot = text.IndexOf('.', StringComparison.Ordinal);
        secondDot = firstDot < 0 ? -1 : text.IndexOf('.', firstDot + 1);

        // The signature may be empty here (an alg none JWS): the header rules reject that first, by name.
        if (firstDot <= 0 || secondDot <= firstDot + 1)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (i != firstDot && i != secondDot && !(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false; // a third dot, padding, whitespace inside, or a character outside base64url
            }
        }

        return true;
    }

    private static JwsFailure? ReadHeader(ReadOnlySpan<char> encoded, string type, IReadOnlySet<string>? onlyMembers, out string? kid)
    {
        kid = null;
        if (!TryDecode(encoded, out byte[] json))
        {
            return JwsFailure.Malformed;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json, ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("crit", out _)
                || !root.TryGetProperty("alg", out JsonElement alg) || alg.ValueKind != JsonValueKind.String
                || (onlyMembers is not null && root.EnumerateObject().Any(member => !onlyMembers.Contains(member.Name))))
            {
                return JwsFailure.Malformed;
            }

            if (!alg.ValueEquals(Algorithm))
            {
                return JwsFailure.AlgorithmNotAllowed;
            }

            if (!(root.TryGetProperty("typ", out JsonElement typ) && typ.ValueKind == JsonValueKind.String && typ.ValueEquals(type)))
            {
                return JwsFailure.WrongType;
            }

            // RFC 7515 §4.1.4: the kid is a hint. Documents verified against a pinned key ignore it; a status request needs it.
            kid = root.TryGetProperty("kid", out JsonElement kidElement) && kidElement.ValueKind == JsonValueKind.String
                ? kidElement.GetString()
                : null;
            return null;
        }
        catch (JsonException)
        {
            return JwsFailure.Malformed;
        }
        catch (InvalidOperationException)
        {
            return JwsFailure.Malformed; // a kid that is not valid UTF-8
        }
    }
}

/// <summary>A compact JWS whose shape and header passed <see cref="Es256Jws.TryParse"/>; signature and payload not yet checked.</summary>
internal sealed class ParsedJws
{
    private readonly string _text;
    private readonly int _firstDot;
    private readonly int _secondDot;

    internal ParsedJws(string text, int firstDot, int secondDot, string? kid)
    {
        _text = text;
        _firstDot = firstDot;
        _secondDot = secondDot;
        Kid = kid;
    }

    /// <summary>The header's <c>kid</c> when it is a string.</summary>
    public string? Kid { get; }

    /// <summary>RFC 7515 §5.2 step 8: ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), exactly as received.</summary>
    public byte[] SigningInput() => Encoding.ASCII.GetBytes(_text, 0, _secondDot);

    /// <summary>RFC 7518 §3.4: exactly 64 bytes r‖s, in its one canonical base64url spelling; DER or anything else is a bad signature.</summary>
    public bool TryDecodeSignature([NotNullWhen(true)] out byte[]? signature)
    {
        signature = null;
        ReadOnlySpan<char> encoded = _text.AsSpan(_secondDot + 1);
        if (encoded.Length != Es256Jws.SignatureB64Length
            || !Es256Jws.TryDecode(encoded, out byte[] decoded)
            || decoded.Length != Es256Jws.SignatureSize
            || !encoded.SequenceEqual(Base64Url.EncodeToString(decoded)))
        {
            return false;
        }

        signature = decoded;
        return true;
    }

    /// <summary>True when the signature is well formed and <paramref name="key"/> verifies it.</summary>
    public bool IsSignedBy(EcKey key) =>
        TryDecodeSignature(out byte[]? signature)
        && key.Ecdsa.VerifyData(SigningInput(), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The payload bytes (RFC 7515 §5.2 step 6); false when not base64url.</summary>
    public bool TryDecodePayload(out byte[] json) =>
        Es256Jws.TryDecode(_text.AsSpan(_firstDot + 1, _secondDot - _firstDot - 1), out json);
}
