namespace HealthCode.Trust.TrustLists;

/// <summary>Why a trust list was rejected (DESIGN §4.5). Stable snake_case codes via <see cref="TrustListErrorCodes.ToCode"/>.</summary>
public enum TrustListError
{
    /// <summary><c>malformed</c>: too large, not a compact JWS, header or payload not the documented JSON, a bad key in the set.</summary>
    Malformed,

    /// <summary><c>algorithm_not_allowed</c>: the header <c>alg</c> is not ES256 (e.g. <c>none</c>, HS256).</summary>
    AlgorithmNotAllowed,

    /// <summary><c>wrong_type</c>: the header <c>typ</c> is not <c>hc-trust-list+jwt</c> (e.g. a health code or a federation list).</summary>
    WrongType,

    /// <summary><c>bad_signature</c>: the signature does not verify with the pinned root key.</summary>
    BadSignature,

    /// <summary><c>issuer_mismatch</c>: the list's <c>iss</c> is not the province it was fetched for.</summary>
    IssuerMismatch,

    /// <summary><c>rollback</c>: the list's <c>seq</c> is lower than the one already held.</summary>
    Rollback,

    /// <summary><c>expired</c>: the list is past its <c>exp</c>, beyond the clock skew.</summary>
    Expired,
}

/// <summary>The stable snake_case codes of <see cref="TrustListError"/>.</summary>
public static class TrustListErrorCodes
{
    /// <summary>The stable error code, e.g. <c>rollback</c>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The snake_case code.</returns>
    public static string ToCode(this TrustListError error) => error switch
    {
        TrustListError.Malformed => "malformed",
        TrustListError.AlgorithmNotAllowed => "algorithm_not_allowed",
        TrustListError.WrongType => "wrong_type",
        TrustListError.BadSignature => "bad_signature",
        TrustListError.IssuerMismatch => "issuer_mismatch",
        TrustListError.Rollback => "rollback",
        TrustListError.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown trust list error."),
    };
}
