using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using HealthCode.Trust.Jose;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;
using HealthCode.Trust.Verification.Rules;

namespace HealthCode.Trust.Status;

/// <summary>
/// The online status check between provinces (issue 4 item 6; docs/FEDERATION-FORMAT.md §3): a checkpoint's province
/// asks the issuing province for the current status of a code id (<c>sub</c>) with a request signed by the asking
/// province's active issuer key. The issuing province verifies it against the asker's keys from the asker's trust list
/// (its <see cref="TrustLists.TrustStore"/>), exactly as it verifies the asker's health codes: same key selection,
/// revocation and staleness rules. A compact JWS (RFC 7515 §7.1), ES256, <c>typ</c> <c>hc-status-request+jwt</c>.
/// </summary>
public static class StatusRequestCodec
{
    /// <summary>The JWS <c>typ</c> (RFC 8725 §3.11): a request is never taken for a health code or a list, nor the reverse.</summary>
    public const string Type = "hc-status-request+jwt";

    /// <summary>The largest request read, in characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>The longest <c>sub</c> accepted.</summary>
    public const int MaxSubLength = 128;

    /// <summary>A request is valid this long after <c>iat</c>, and a request that claims more is malformed: a captured request cannot be replayed for long.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private const int NonceBytes = 16;

    /// <summary>Signs a status request.</summary>
    /// <param name="askingIssuer">The asking province (<c>iss</c>), a 6-digit code.</param>
    /// <param name="targetIssuer">The issuing province asked (<c>aud</c>), a 6-digit code.</param>
    /// <param name="sub">The code id from the scanned token.</param>
    /// <param name="now">The current time (UTC), from a <see cref="TimeProvider"/>; <c>exp</c> is <see cref="Lifetime"/> later.</param>
    /// <param name="askingIssuerKey">The asking province's active issuer key, with its private part; its public half is in the asker's trust list.</param>
    /// <returns>The compact JWS, with a fresh random <c>jti</c>.</returns>
    /// <exception cref="ArgumentException">An issuer id is not 6 digits, <paramref name="sub"/> is empty or too long, or the key holds no private part.</exception>
    public static string Sign(string askingIssuer, string targetIssuer, string sub, DateTimeOffset now, EcKey askingIssuerKey)
    {
        ArgumentNullException.ThrowIfNull(askingIssuerKey);
        if (!IssuerId.IsValid(askingIssuer) || !IssuerId.IsValid(targetIssuer))
        {
            throw new ArgumentException("The asking and target issuers must be 6-digit GB/T 2260 codes.", nameof(askingIssuer));
        }

        if (string.IsNullOrEmpty(sub) || sub.Length > MaxSubLength)
        {
            throw new ArgumentException($"The sub must be 1 to {MaxSubLength} characters.", nameof(sub));
        }

        long iat = now.ToUnixTimeSeconds();
        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload, Es256Jws.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", askingIssuer);
            writer.WriteString("aud", targetIssuer);
            writer.WriteString("sub", sub);
            writer.WriteNumber("iat", iat);
            writer.WriteNumber("exp", iat + (long)Lifetime.TotalSeconds);
            writer.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(NonceBytes)));
            writer.WriteEndObject();
        }

        return Es256Jws.Sign(Type, askingIssuerKey, payload.WrittenSpan);
    }

    /// <summary>
    /// Verifies a status request, in this order: shape and header (<c>malformed</c>, <c>algorithm_not_allowed</c>,
    /// <c>wrong_type</c>), claims (<c>malformed</c>), the asker and its key (<c>unknown_issuer</c>,
    /// <c>trust_list_stale</c>, <c>unknown_key</c>), the signature (<c>bad_signature</c>, <c>key_revoked</c>), the
    /// audience (<c>wrong_audience</c>) and the lifetime (<c>expired</c>, <c>not_yet_valid</c>).
    /// </summary>
    /// <param name="jws">The request as received; surrounding whitespace is ignored.</param>
    /// <param name="keys">The asked province's trusted keys (its <see cref="TrustLists.TrustStore"/>): the asker's keys come from the asker's trust list.</param>
    /// <param name="expectedAudience">This province's code: the request must be addressed to it.</param>
    /// <param name="now">The current time (UTC), from a <see cref="TimeProvider"/>.</param>
    /// <param name="skew">Leeway for <c>exp</c> and <c>iat</c>: between zero and <see cref="HealthCodeVerifier.MaxClockSkew"/>.</param>
    /// <returns>The verified request, or why it was rejected. Replays within the lifetime are the host's to refuse, by <see cref="StatusRequest.Nonce"/>.</returns>
    public static StatusRequestResult Verify(string jws, IIssuerKeyResolver keys, string expectedAudience, DateTimeOffset now, TimeSpan skew)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrEmpty(expectedAudience);
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(skew, HealthCodeVerifier.MaxClockSkew);
        if (!Es256Jws.TryParse(jws, MaxLength, Type, out ParsedJws? parsed, out JwsFailure failure))
        {
            return StatusRequestResult.Failure(
                Es256Jws.Map(failure, StatusRequestError.Malformed, StatusRequestError.AlgorithmNotAllowed, StatusRequestError.WrongType));
        }

        // Only iss and kid are used before the signature is checked: to find the asker's keys (RFC 8725 §3.10: never from the request itself).
        if (string.IsNullOrEmpty(parsed.Kid) || !parsed.TryDecodePayload(out byte[] json) || !TryReadClaims(json, out Claims claims))
        {
            return StatusRequestResult.Failure(StatusRequestError.Malformed);
        }

        if (KeySelectionRule.Check(keys, claims.Issuer, parsed.Kid, now, skew, out IReadOnlyList<IssuerKeyEntry> candidates) is { } keyError)
        {
            return StatusRequestResult.Failure(Map(keyError));
        }

        if (!parsed.TryDecodeSignature(out byte[]? signature))
        {
            return StatusRequestResult.Failure(StatusRequestError.BadSignature);
        }

        if ((SignerRule.Check(candidates, now, skew, parsed.SigningInput(), signature, out IssuerKeyEntry? signer)
            ?? RevocationRule.Check(signer!)) is { } signatureError)
        {
            return StatusRequestResult.Failure(Map(signatureError));
        }

        // RFC 7519 §4.1.3: a request addressed to another province is not for us, even though it is genuine.
        if (!string.Equals(claims.Audience, expectedAudience, StringComparison.Ordinal))
        {
            return StatusRequestResult.Failure(StatusRequestError.WrongAudience);
        }

        if (LifetimeRule.Check(claims.IssuedAt, claims.ExpiresAt, notBefore: null, now, skew) is { } lifetimeError)
        {
            return StatusRequestResult.Failure(Map(lifetimeError));
        }

        return StatusRequestResult.Success(new StatusRequest(
            claims.Issuer,
            claims.Audience,
            claims.Sub,
            DateTimeOffset.FromUnixTimeSeconds(claims.IssuedAt),
            DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt),
            claims.Nonce));
    }

    private static StatusRequestError Map(VerificationError error) => error switch
    {
        VerificationError.UnknownIssuer => StatusRequestError.UnknownIssuer,
        VerificationError.UnknownKey => StatusRequestError.UnknownKey,
        VerificationError.KeyRevoked => StatusRequestError.KeyRevoked,
        VerificationError.BadSignature => StatusRequestError.BadSignature,
        VerificationError.Expired => StatusRequestError.Expired,
        VerificationError.NotYetValid => StatusRequestError.NotYetValid,
        VerificationError.TrustListStale => StatusRequestError.TrustListStale,
        _ => StatusRequestError.Malformed,
    };

    /// <summary>Every claim required, with its type (RFC 7519 §4.1); <c>aud</c> a single string; a lifetime of at most <see cref="Lifetime"/>.</summary>
    private static bool TryReadClaims(byte[] json, out Claims claims)
    {
        claims = default;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !Es256Jws.TryString(root, "iss", out string? iss) || !IssuerId.IsValid(iss)
                || !Es256Jws.TryString(root, "aud", out string? aud)
                || !Es256Jws.TryString(root, "sub", out string? sub) || sub.Length > MaxSubLength
                || !Es256Jws.TryString(root, "jti", out string? jti) || jti.Length > MaxSubLength
                || !Es256Jws.TryRequiredNumericDate(root, "iat", out long iat)
                || !Es256Jws.TryRequiredNumericDate(root, "exp", out long exp)
                || exp <= iat || exp - iat > (long)Lifetime.TotalSeconds)
            {
                return false;
            }

            claims = new Claims(iss, aud, sub, iat, exp, jti);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException) // not JSON; a string that is not UTF-8
        {
            return false;
        }
    }

    private readonly record struct Claims(string Issuer, string Audience, string Sub, long IssuedAt, long ExpiresAt, string Nonce);
}
