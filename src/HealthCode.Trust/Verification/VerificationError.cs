namespace HealthCode.Trust.Verification;

/// <summary>Why a scanned code was rejected. Each maps to a stable error code of DESIGN §5 (<see cref="VerificationErrorCodes.ToCode"/>).</summary>
public enum VerificationError
{
    /// <summary><c>malformed</c>: too long, empty, not digits, not a compact JWS, or claims missing or of the wrong type.</summary>
    Malformed,

    /// <summary><c>unsupported_format</c>: not a HealthCode QR, or a format version this verifier does not know.</summary>
    UnsupportedFormat,

    /// <summary><c>unknown_issuer</c>: the <c>iss</c> is not a province this instance trusts.</summary>
    UnknownIssuer,

    /// <summary><c>unknown_key</c>: the issuer is trusted, but no usable key of it has this <c>kid</c>.</summary>
    UnknownKey,

    /// <summary><c>key_revoked</c>: the signature verifies with a key its issuer has revoked.</summary>
    KeyRevoked,

    /// <summary><c>bad_signature</c>: the signature is not 64 bytes r‖s, or no key with the kid verifies it.</summary>
    BadSignature,

    /// <summary><c>algorithm_not_allowed</c>: the header <c>alg</c> is not ES256 (e.g. <c>none</c>, HS256, RS256).</summary>
    AlgorithmNotAllowed,

    /// <summary><c>wrong_type</c>: the header <c>typ</c> is not <c>hc+jwt</c> (e.g. a trust list presented as a code).</summary>
    WrongType,

    /// <summary><c>expired</c>: past <c>exp</c>, beyond the clock skew.</summary>
    Expired,

    /// <summary><c>not_yet_valid</c>: <c>iat</c> or <c>nbf</c> in the future, beyond the clock skew.</summary>
    NotYetValid,

    /// <summary><c>code_revoked</c>: the code record was revoked or changed status since signing (decided by the host, not by the token).</summary>
    CodeRevoked,

    /// <summary><c>trust_list_stale</c>: the issuer's trust list is past its <c>exp</c> (decided by the trust store).</summary>
    TrustListStale,
}

/// <summary>The stable snake_case codes of <see cref="VerificationError"/>.</summary>
public static class VerificationErrorCodes
{
    /// <summary>The stable error code of DESIGN §5, e.g. <c>bad_signature</c>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The snake_case code.</returns>
    public static string ToCode(this VerificationError error) => error switch
    {
        VerificationError.Malformed => "malformed",
        VerificationError.UnsupportedFormat => "unsupported_format",
        VerificationError.UnknownIssuer => "unknown_issuer",
        VerificationError.UnknownKey => "unknown_key",
        VerificationError.KeyRevoked => "key_revoked",
        VerificationError.BadSignature => "bad_signature",
        VerificationError.AlgorithmNotAllowed => "algorithm_not_allowed",
        VerificationError.WrongType => "wrong_type",
        VerificationError.Expired => "expired",
        VerificationError.NotYetValid => "not_yet_valid",
        VerificationError.CodeRevoked => "code_revoked",
        VerificationError.TrustListStale => "trust_list_stale",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown verification error."),
    };
}
