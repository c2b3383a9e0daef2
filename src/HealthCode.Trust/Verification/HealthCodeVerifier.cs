using HealthCode.Trust.Tokens;
using HealthCode.Trust.Verification.Rules;

namespace HealthCode.Trust.Verification;

/// <summary>
/// Verifies a scanned health code (DESIGN §4.5). Every expected failure comes back as a
/// <see cref="VerificationResult"/>, never as an exception. Thread-safe; parsing works on the stack.
/// </summary>
/// <param name="keys">The trusted issuer keys.</param>
/// <param name="time">The clock.</param>
/// <param name="clockSkew">Leeway for <c>exp</c>, <c>iat</c> and <c>nbf</c>: between zero and 5 minutes.</param>
public sealed class HealthCodeVerifier(IIssuerKeyResolver keys, TimeProvider time, TimeSpan clockSkew)
{
    /// <summary>The largest clock skew accepted: more would keep a short-lived phone code alive too long.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly IIssuerKeyResolver _keys = keys ?? throw new ArgumentNullException(nameof(keys));
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly TimeSpan _clockSkew = clockSkew >= TimeSpan.Zero && clockSkew <= MaxClockSkew
        ? clockSkew
        : throw new ArgumentOutOfRangeException(nameof(clockSkew), clockSkew, "The clock skew must be between zero and 5 minutes.");

    /// <summary>Verifies the text read from a QR code.</summary>
    /// <param name="qrText">The scanned text; surrounding whitespace (a scan gun's Enter) is ignored.</param>
    /// <returns>Valid with the claims, or the reason it is not.</returns>
    public VerificationResult Verify(string qrText)
    {
        // Bound the work before parsing anything: nothing longer than a QR can hold is read.
        if (qrText is null || qrText.Length > QrText.MaxLength)
        {
            return VerificationResult.Failure(VerificationError.Malformed);
        }

        ReadOnlySpan<char> text = qrText.AsSpan().Trim();
        if (text.IsEmpty)
        {
            return VerificationResult.Failure(VerificationError.Malformed);
        }

        // The versioned prefix tells this format from others (DESIGN §4.1).
        if (!QrText.HasPrefix(text))
        {
            return VerificationResult.Failure(VerificationError.UnsupportedFormat);
        }

        Span<byte> jws = stackalloc byte[QrText.MaxJwsLength];
        return QrText.TryDecodeBody(text[QrText.Prefix.Length..], jws, out int length)
            ? VerifyJws(jws[..length])
            : VerificationResult.Failure(VerificationError.Malformed);
    }

    /// <summary>RFC 7515 §5.2, with the checks of RFC 8725 and DESIGN §4.5, in the order the error codes are documented.</summary>
    private VerificationResult VerifyJws(ReadOnlySpan<byte> jws)
    {
        if (!CompactJws.TrySplit(jws, out CompactJws parts) || !JoseHeader.TryRead(parts.Header, out JoseHeader header))
        {
            return VerificationResult.Failure(VerificationError.Malformed);
        }

        if ((AlgorithmRule.Check(header) ?? TypeRule.Check(header)) is { } headerError)
        {
            return VerificationResult.Failure(headerError);
        }

        if (!ClaimsReader.TryRead(parts.Payload, out TokenClaims claims))
        {
            return VerificationResult.Failure(VerificationError.Malformed);
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (KeySelectionRule.Check(_keys, claims.Issuer, header.Kid, now, _clockSkew, out var candidates) is { } keyError)
        {
            return VerificationResult.Failure(keyError);
        }

        Span<byte> signature = stackalloc byte[TokenFormat.SignatureSize];
        if (!SignatureRule.TryDecode(parts.Signature, signature))
        {
            return VerificationResult.Failure(VerificationError.BadSignature);
        }

        if ((SignerRule.Check(candidates, now, _clockSkew, parts.SigningInput, signature, out IssuerKeyEntry? signer)
            ?? RevocationRule.Check(signer!)) is { } signatureError)
        {
            return VerificationResult.Failure(signatureError);
        }

        if (LifetimeRule.Check(claims, now, _clockSkew) is { } lifetimeError)
        {
            return VerificationResult.Failure(lifetimeError);
        }

        return VerificationResult.Success(claims.ToClaims(), signer!);
    }
}
