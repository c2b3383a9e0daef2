using System.Collections.Frozen;
using System.Security.Cryptography;
using HealthCode.Trust.Jose;
using HealthCode.Trust.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthCode.Trust.Sharing;

/// <summary>
/// Verifies a batch manifest against the department's registered key (DESIGN §9, the rules of §4.5; docs/BATCH-FORMAT.md §4).
/// The cryptographic checks are <see cref="JsonWebTokenHandler"/>'s (Microsoft.IdentityModel.JsonWebTokens, the design card's
/// JWT library), configured by <see cref="TokenValidationParameters"/>: valid types, ES256 only, the department's pinned key,
/// the lifetime on the injected clock with the explicit skew. Around it, the kernel's own rules give each refusal its stable
/// code in the documented order and refuse what the handler lets through (a padded signature, a <c>crit</c> or <c>jku</c>
/// header). A manifest is accepted only when the handler and every rule accept it. Every expected failure comes back as a
/// <see cref="BatchManifestResult"/>, never as an exception. Thread-safe.
/// </summary>
public sealed class BatchManifestReader
{
    /// <summary>The clock skew used when none is given.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>The largest clock skew accepted.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The maximum age used when none is given: a batch signed on Monday may be uploaded within the week.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(7);

    /// <summary>The largest maximum age accepted.</summary>
    public static readonly TimeSpan LongestMaxAge = TimeSpan.FromDays(366);

    // docs/BATCH-FORMAT.md §2: the header is exactly {alg, typ, kid}; keys come only from the department's registration,
    // never from the manifest (RFC 8725 §3.10), so jwk, jku, x5u and x5c have no place in it.
    private static readonly FrozenSet<string> HeaderMembers = FrozenSet.ToFrozenSet(["alg", "typ", "kid"], StringComparer.Ordinal);

    // A provider per read, never cached: a cached one would outlive the ECDsa it wraps, which each read disposes.
    private static readonly CryptoProviderFactory UncachedProviders = new() { CacheSignatureProviders = false };

    private readonly TimeProvider _time;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan _maxAge;

    /// <summary>A reader on the given clock.</summary>
    /// <param name="time">The clock (UTC).</param>
    /// <param name="clockSkew">Leeway for <c>producedAt</c>: between zero and <see cref="MaxClockSkew"/>.</param>
    /// <param name="maxAge">How old <c>producedAt</c> may be: more than zero, at most <see cref="LongestMaxAge"/>.</param>
    public BatchManifestReader(TimeProvider time, TimeSpan clockSkew, TimeSpan maxAge)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _clockSkew = clockSkew >= TimeSpan.Zero && clockSkew <= MaxClockSkew
            ? clockSkew
            : throw new ArgumentOutOfRangeException(nameof(clockSkew), clockSkew, "The clock skew must be between zero and 5 minutes.");
        _maxAge = maxAge > TimeSpan.Zero && maxAge <= LongestMaxAge
            ? maxAge
            : throw new ArgumentOutOfRangeException(nameof(maxAge), maxAge, "The maximum age must be more than zero and at most 366 days.");
    }

    /// <summary>The one handler: it holds no state between reads. Tokens longer than the manifest's bound are refused unparsed.</summary>
    internal static JsonWebTokenHandler Handler { get; } = new() { MaximumTokenSizeInBytes = BatchManifestCodec.MaxLength };

    /// <summary>
    /// Verifies a manifest, checking in this order: shape and header (<c>manifest_malformed</c>), <c>alg</c>
    /// (<c>manifest_algorithm_not_allowed</c>), <c>typ</c> (<c>manifest_wrong_type</c>), <c>kid</c> (<c>manifest_unknown_key</c>),
    /// the signature (<c>manifest_bad_signature</c>), the claims (<c>manifest_invalid_claims</c>), the source
    /// (<c>manifest_source_mismatch</c>), <c>producedAt</c> (<c>manifest_not_yet_valid</c>, <c>manifest_expired</c>).
    /// </summary>
    /// <param name="manifest">The <c>Sharing-Manifest</c> header's value; surrounding whitespace is ignored.</param>
    /// <param name="departmentKey">The department's registered key (its public part is used).</param>
    /// <param name="expectedSource">The catalogue entry the batch was sent to; null to accept any.</param>
    /// <returns>The verified manifest, or why it was refused.</returns>
    public async Task<BatchManifestResult> ReadAsync(string? manifest, EcKey departmentKey, string? expectedSource = null)
    {
        ArgumentNullException.ThrowIfNull(departmentKey);

        // Bounds the work, then RFC 7515 §7.1 shape, a header of exactly {alg, typ, kid}, RFC 8725 §3.1 (ES256 only) and
        // §3.11 (explicit typ).
        if (!Es256Jws.TryParse(manifest, BatchManifestCodec.MaxLength, BatchManifestCodec.Type, out ParsedJws? parsed, out JwsFailure failure, HeaderMembers))
        {
            return BatchManifestResult.Failure(
                Es256Jws.Map(failure, BatchManifestError.Malformed, BatchManifestError.AlgorithmNotAllowed, BatchManifestError.WrongType));
        }

        if (parsed.Kid is null)
        {
            return BatchManifestResult.Failure(BatchManifestError.Malformed); // no kid, or one that is not a string
        }

        // RFC 7515 §4.1.4, DESIGN §4.1: the kid names the key; only the department's own is trusted for its batches.
        if (!string.Equals(parsed.Kid, departmentKey.Kid, StringComparison.Ordinal))
        {
            return BatchManifestResult.Failure(BatchManifestError.UnknownKey);
        }

        // RFC 7518 §3.4: 64 bytes r‖s in its one spelling. The handler would also take a padded segment; the kernel does not.
        if (!parsed.TryDecodeSignature(out _))
        {
            return BatchManifestResult.Failure(BatchManifestError.BadSignature);
        }

        DateTimeOffset now = _time.GetUtcNow();
        TokenValidationResult validation;
        using (ECDsa publicKey = ECDsa.Create(departmentKey.Ecdsa.ExportParameters(includePrivateParameters: false)))
        {
            var key = new ECDsaSecurityKey(publicKey) { KeyId = departmentKey.Kid };
            validation = await Handler.ValidateTokenAsync(manifest!.Trim(), Parameters(key, now)).ConfigureAwait(false);
        }

        // The header passed the rules above, so a token the handler cannot even read (IDX14100, or IDX14101: an
        // ArgumentException around a JsonException) has a payload that is not a JSON object: named in the documented
        // order, by whether the department signed it.
        if (validation.Exception is SecurityTokenMalformedException or ArgumentException)
        {
            return BatchManifestResult.Failure(parsed.IsSignedBy(departmentKey) ? BatchManifestError.InvalidClaims : BatchManifestError.BadSignature);
        }

        // The handler checks the signature before the lifetime: any other refusal is final.
        if (!validation.IsValid && !IsLifetimeFailure(validation.Exception))
        {
            return BatchManifestResult.Failure(Map(validation.Exception));
        }

        if (!parsed.TryDecodePayload(out byte[] json) || !ManifestClaimsRule.TryRead(json, out BatchManifest? read))
        {
            return BatchManifestResult.Failure(BatchManifestError.InvalidClaims);
        }

        if (expectedSource is not null && !string.Equals(read.Source, expectedSource, StringComparison.Ordinal))
        {
            return BatchManifestResult.Failure(BatchManifestError.SourceMismatch);
        }

        if (ManifestLifetimeRule.Check(read.ProducedAt, now, _clockSkew, _maxAge) is { } lifetimeError)
        {
            return BatchManifestResult.Failure(lifetimeError);
        }

        // Both must accept: a refusal the rules above did not name keeps the handler's reason.
        return validation.IsValid ? BatchManifestResult.Success(read) : BatchManifestResult.Failure(Map(validation.Exception));
    }

    /// <summary>
    /// The rules of DESIGN §4.5 for the handler: <c>typ</c> <c>hc-batch+jwt</c> only (RFC 8725 §3.11), ES256 only (§3.1),
    /// the department's pinned key and no other (its kid must match: <see cref="TokenValidationParameters.TryAllIssuerSigningKeys"/>
    /// off), a signature required, no issuer or audience (a manifest has neither), and the lifetime of
    /// <see cref="ManifestLifetimeRule"/> on the injected clock with the explicit skew. Internal so the tests can run the
    /// handler alone with exactly these parameters.
    /// </summary>
    internal TokenValidationParameters Parameters(SecurityKey departmentKey, DateTimeOffset now) => new()
    {
        ValidTypes = [BatchManifestCodec.Type],
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        IssuerSigningKey = departmentKey,
        TryAllIssuerSigningKeys = false,
        RequireSignedTokens = true,
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateLifetime = true,
        ClockSkew = _clockSkew,
        LifetimeValidator = (_, _, token, _) => ValidateLifetime(token, now),
        CryptoProviderFactory = UncachedProviders,
        LogValidationExceptions = false,
    };

    /// <summary>The handler's lifetime check: <c>exp</c> and <c>nbf</c> do not exist here, <c>producedAt</c> does.</summary>
    private bool ValidateLifetime(SecurityToken token, DateTimeOffset now)
    {
        if (token is not JsonWebToken jwt || !jwt.TryGetPayloadValue("producedAt", out long seconds) || seconds is < 0 or > Es256Jws.MaxNumericDate)
        {
            throw new SecurityTokenInvalidLifetimeException("producedAt is missing or not a NumericDate.");
        }

        return ManifestLifetimeRule.Check(DateTimeOffset.FromUnixTimeSeconds(seconds), now, _clockSkew, _maxAge) switch
        {
            BatchManifestError.NotYetValid => throw new SecurityTokenNotYetValidException("producedAt is later than now plus the clock skew."),
            BatchManifestError.Expired => throw new SecurityTokenExpiredException("producedAt is older than the maximum age."),
            _ => true,
        };
    }

    private static bool IsLifetimeFailure(Exception? exception) =>
        exception is SecurityTokenInvalidLifetimeException or SecurityTokenNotYetValidException or SecurityTokenExpiredException;

    /// <summary>The handler's refusal as a stable code; the key-not-found case first, as it derives from the bad-signature one.</summary>
    private static BatchManifestError Map(Exception? exception) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException => BatchManifestError.UnknownKey,
        SecurityTokenInvalidSignatureException => BatchManifestError.BadSignature,
        SecurityTokenInvalidAlgorithmException => BatchManifestError.AlgorithmNotAllowed,
        SecurityTokenInvalidTypeException => BatchManifestError.WrongType,
        SecurityTokenNotYetValidException => BatchManifestError.NotYetValid,
        SecurityTokenExpiredException => BatchManifestError.Expired,
        SecurityTokenInvalidLifetimeException => BatchManifestError.InvalidClaims,
        _ => BatchManifestError.Malformed,
    };
}
