using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using HealthCode.Trust.Jose;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.TrustLists;

/// <summary>
/// Signs and verifies province trust lists (DESIGN §4.2, §4.5; docs/TRUST-LIST-FORMAT.md): a compact JWS
/// (RFC 7515 §7.1), ES256, <c>typ</c> <c>hc-trust-list+jwt</c>, signed by the province's root key, whose payload
/// holds the issuer keys as a JWK set (RFC 7517 §5). Verification returns a value and never throws on bad input.
/// </summary>
public static class TrustListCodec
{
    /// <summary>The JWS <c>typ</c> (RFC 7515 §4.1.9, RFC 8725 §3.11) of a trust list, and of nothing else.</summary>
    public const string Type = "hc-trust-list+jwt";

    /// <summary>The largest trust list read, in characters; anything longer is <see cref="TrustListError.Malformed"/> unparsed.</summary>
    public const int MaxLength = 256 * 1024;

    /// <summary>The most keys one list may hold: far more than a province rotates through, few enough to bound the work.</summary>
    public const int MaxKeys = 1024;

    /// <summary>The clock skew used when none is given: a partner's clock may be a little off.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Signs a trust list with the province's root key.</summary>
    /// <param name="list">The list; times are truncated to whole seconds.</param>
    /// <param name="root">The root key, with its private part. Not owned.</param>
    /// <returns>The compact JWS <c>header.payload.signature</c>, the signature ES256 r‖s.</returns>
    /// <exception cref="ArgumentException">The root holds no private key, or the list is not one this service may publish.</exception>
    public static string Sign(TrustList list, EcKey root)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(root);
        if (!root.HasPrivateKey)
        {
            throw new ArgumentException("The root key must hold its private part to sign a trust list.", nameof(root));
        }

        Validate(list);
        var payload = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(payload, Es256Jws.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", list.Issuer);
            writer.WriteString("name", list.Name);
            writer.WriteNumber("seq", list.Seq);
            writer.WriteNumber("iat", list.IssuedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp", list.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteStartObject("keys"); // RFC 7517 §5: a JWK set is an object with a "keys" array
            writer.WriteStartArray("keys");
            foreach (TrustListKey key in list.Keys)
            {
                WriteKey(writer, key);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Es256Jws.Sign(Type, root, payload.WrittenSpan);
    }

    /// <summary>
    /// Verifies a trust list against the pinned root key of the province it was fetched for (DESIGN §4.5):
    /// ES256 only, <c>typ</c> checked, signature by the pinned root, <c>iss</c> as expected, <c>seq</c> not lower
    /// than the one held (no rollback; an equal <c>seq</c> is an idempotent re-fetch), not expired.
    /// </summary>
    /// <param name="jws">The compact JWS as fetched or read from a cache; surrounding whitespace is ignored.</param>
    /// <param name="pinnedRoot">The province's root public key, exchanged out of band (or vouched for by the hub).</param>
    /// <param name="expectedIssuer">The province the list was fetched for.</param>
    /// <param name="heldSeq">The <c>seq</c> of the list held now, if any.</param>
    /// <param name="now">The current time (UTC), from a <see cref="TimeProvider"/>.</param>
    /// <param name="skew">Leeway for <c>exp</c>: zero or more.</param>
    /// <returns>The verified list (its keys are new public-only keys), or the reason it was rejected.</returns>
    public static TrustListResult Verify(string jws, EcKey pinnedRoot, string expectedIssuer, long? heldSeq, DateTimeOffset now, TimeSpan skew)
    {
        ArgumentNullException.ThrowIfNull(pinnedRoot);
        ArgumentNullException.ThrowIfNull(expectedIssuer);
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero);

        // Bounds the work, then RFC 7515 §7.1 shape, RFC 8725 §3.1 (ES256 only) and §3.11 (explicit typ).
        if (!Es256Jws.TryParse(jws, MaxLength, Type, out ParsedJws? parsed, out JwsFailure failure))
        {
            return TrustListResult.Failure(
                Es256Jws.Map(failure, TrustListError.Malformed, TrustListError.AlgorithmNotAllowed, TrustListError.WrongType));
        }

        // The signature is checked before the payload is parsed: nothing unsigned is read further.
        if (!parsed.IsSignedBy(pinnedRoot))
        {
            return TrustListResult.Failure(TrustListError.BadSignature);
        }

        if (!parsed.TryDecodePayload(out byte[] json) || !TryReadPayload(json, out TrustList? list))
        {
            return TrustListResult.Failure(TrustListError.Malformed);
        }

        if (!string.Equals(list.Issuer, expectedIssuer, StringComparison.Ordinal))
        {
            return TrustListResult.Failure(TrustListError.IssuerMismatch);
        }

        if (heldSeq is { } held && list.Seq < held)
        {
            return TrustListResult.Failure(TrustListError.Rollback);
        }

        if (now >= list.ExpiresAt + skew)
        {
            return TrustListResult.Failure(TrustListError.Expired);
        }

        return TrustListResult.Success(list);
    }

    /// <summary>The JSON name of a key status in a trust list.</summary>
    /// <param name="status">The status.</param>
    /// <returns><c>active</c>, <c>retired</c> or <c>revoked</c>.</returns>
    public static string StatusName(KeyStatus status) => status switch
    {
        KeyStatus.Active => "active",
        KeyStatus.Retired => "retired",
        KeyStatus.Revoked => "revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown key status."),
    };

    private static void Validate(TrustList list)
    {
        ArgumentException.ThrowIfNullOrEmpty(list.Issuer, nameof(list));
        ArgumentException.ThrowIfNullOrEmpty(list.Name, nameof(list));
        ArgumentNullException.ThrowIfNull(list.Keys, nameof(list));
        if (list.Seq < 0)
        {
            throw new ArgumentException("Seq cannot be negative.", nameof(list));
        }

        if (list.ExpiresAt.ToUnixTimeSeconds() <= list.IssuedAt.ToUnixTimeSeconds())
        {
            throw new ArgumentException("ExpiresAt must be at least a second after IssuedAt.", nameof(list));
        }

        if (list.Keys.Count > MaxKeys)
        {
            throw new ArgumentException($"A trust list holds at most {MaxKeys} keys.", nameof(list));
        }

        if (list.Keys.Select(k => k.Key.Thumbprint).Distinct(StringComparer.Ordinal).Count() != list.Keys.Count)
        {
            throw new ArgumentException("A key appears twice in the trust list.", nameof(list));
        }
    }

    private static void WriteKey(Utf8JsonWriter writer, TrustListKey entry)
    {
        ECParameters parameters = entry.Key.Ecdsa.ExportParameters(includePrivateParameters: false);
        writer.WriteStartObject();
        writer.WriteString("kty", "EC");
        writer.WriteString("crv", "P-256");
        writer.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
        writer.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
        writer.WriteString("kid", entry.Key.Kid);
        writer.WriteString("alg", Es256Jws.Algorithm);
        writer.WriteString("use", "sig");
        writer.WriteString("status", StatusName(entry.Status));
        if (entry.NotBefore is { } nbf)
        {
            writer.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
        }

        if (entry.NotAfter is { } exp)
        {
            writer.WriteNumber("exp", exp.ToUnixTimeSeconds());
        }

        writer.WriteEndObject();
    }

    private static bool TryReadPayload(byte[] json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrustList? list)
    {
        list = null;
        var keys = new List<TrustListKey>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !Es256Jws.TryString(root, "iss", out string? iss)
                || !Es256Jws.TryString(root, "name", out string? name)
                || !root.TryGetProperty("seq", out JsonElement seqElement) || seqElement.ValueKind != JsonValueKind.Number
                || !seqElement.TryGetInt64(out long seq) || seq < 0
                || !Es256Jws.TryNumericDate(root, "iat", out long? iat) || iat is null
                || !Es256Jws.TryNumericDate(root, "exp", out long? exp) || exp is null || exp <= iat
                || !root.TryGetProperty("keys", out JsonElement set) || set.ValueKind != JsonValueKind.Object
                || !set.TryGetProperty("keys", out JsonElement array) || array.ValueKind != JsonValueKind.Array
                || array.GetArrayLength() > MaxKeys)
            {
                return false;
            }

            var thumbprints = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonElement jwk in array.EnumerateArray())
            {
                if (!TryReadKey(jwk, out TrustListKey? key))
                {
                    DisposeAll(keys);
                    return false;
                }

                keys.Add(key);
                if (!thumbprints.Add(key.Key.Thumbprint))
                {
                    DisposeAll(keys);
                    return false; // the same key twice, perhaps with two statuses: ambiguous
                }
            }

            list = new TrustList(iss, name, seq, DateTimeOffset.FromUnixTimeSeconds(iat.Value), DateTimeOffset.FromUnixTimeSeconds(exp.Value), keys);
            return true;
        }
        catch (JsonException)
        {
            DisposeAll(keys);
            return false;
        }
    }

    private static bool TryReadKey(JsonElement jwk, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TrustListKey? key)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object
            || !Es256Jws.TryString(jwk, "kid", out _) // DESIGN §4.2: every key is published under its kid
            || !Es256Jws.TryString(jwk, "status", out string? statusName)
            || !Es256Jws.TryNumericDate(jwk, "nbf", out long? nbf)
            || !Es256Jws.TryNumericDate(jwk, "exp", out long? exp)
            || jwk.TryGetProperty("d", out _)) // a private key in a public list is a leak, never a key to trust
        {
            return false;
        }

        KeyStatus? status = statusName switch
        {
            "active" => KeyStatus.Active,
            "retired" => KeyStatus.Retired,
            "revoked" => KeyStatus.Revoked,
            _ => null,
        };
        if (status is null || (nbf is not null && exp is not null && exp <= nbf))
        {
            return false;
        }

        EcKey ecKey;
        try
        {
            // Checks kty EC, crv P-256, the point, alg/use when present, and that kid is derived from the key.
            ecKey = EcKey.FromJwk(jwk.GetRawText());
        }
        catch (InvalidKeyException)
        {
            return false;
        }

        key = new TrustListKey(
            ecKey,
            status.Value,
            nbf is null ? null : DateTimeOffset.FromUnixTimeSeconds(nbf.Value),
            exp is null ? null : DateTimeOffset.FromUnixTimeSeconds(exp.Value));
        return true;
    }

    private static void DisposeAll(List<TrustListKey> keys) => keys.ForEach(k => k.Key.Dispose());
}
