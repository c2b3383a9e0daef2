namespace HealthCode.Trust.Sharing;

/// <summary>
/// Why a batch manifest was refused (docs/BATCH-FORMAT.md §4), in the order the rules are checked. Stable snake_case
/// codes via <see cref="BatchManifestErrorCodes.ToCode"/>: the service answers with them.
/// </summary>
public enum BatchManifestError
{
    /// <summary><c>manifest_malformed</c>: missing, over 4 KiB, not three base64url segments, or a header that is not exactly <c>{alg, typ, kid}</c> as strings (a <c>jwk</c>, <c>jku</c>, <c>x5u</c> or <c>crit</c> member, a member twice).</summary>
    Malformed,

    /// <summary><c>manifest_algorithm_not_allowed</c>: the header <c>alg</c> is not ES256 (<c>none</c>, HS256, ES384, …).</summary>
    AlgorithmNotAllowed,

    /// <summary><c>manifest_wrong_type</c>: the header <c>typ</c> is not <c>hc-batch+jwt</c> (a health code, a trust list, <c>JWT</c>).</summary>
    WrongType,

    /// <summary><c>manifest_unknown_key</c>: the header <c>kid</c> is not the kid of the department's registered key.</summary>
    UnknownKey,

    /// <summary><c>manifest_bad_signature</c>: the signature is not 64 bytes r‖s in canonical base64url, or the department's key does not verify it.</summary>
    BadSignature,

    /// <summary><c>manifest_invalid_claims</c>: the payload is not a JSON object with a well-formed <c>source</c>, <c>batchId</c>, <c>sha256</c>, <c>rows</c> and <c>producedAt</c>.</summary>
    InvalidClaims,

    /// <summary><c>manifest_source_mismatch</c>: the manifest is for another catalogue entry than the one it was sent to.</summary>
    SourceMismatch,

    /// <summary><c>manifest_not_yet_valid</c>: <c>producedAt</c> is later than now plus the clock skew.</summary>
    NotYetValid,

    /// <summary><c>manifest_expired</c>: <c>producedAt</c> is older than the maximum age (default 7 days) plus the clock skew.</summary>
    Expired,
}

/// <summary>The stable codes of <see cref="BatchManifestError"/>.</summary>
public static class BatchManifestErrorCodes
{
    /// <summary>The stable error code, e.g. <c>manifest_bad_signature</c>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The snake_case code.</returns>
    public static string ToCode(this BatchManifestError error) => error switch
    {
        BatchManifestError.Malformed => "manifest_malformed",
        BatchManifestError.AlgorithmNotAllowed => "manifest_algorithm_not_allowed",
        BatchManifestError.WrongType => "manifest_wrong_type",
        BatchManifestError.UnknownKey => "manifest_unknown_key",
        BatchManifestError.BadSignature => "manifest_bad_signature",
        BatchManifestError.InvalidClaims => "manifest_invalid_claims",
        BatchManifestError.SourceMismatch => "manifest_source_mismatch",
        BatchManifestError.NotYetValid => "manifest_not_yet_valid",
        BatchManifestError.Expired => "manifest_expired",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown batch manifest error."),
    };
}
