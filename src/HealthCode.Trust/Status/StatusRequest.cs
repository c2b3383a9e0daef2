using System.Diagnostics.CodeAnalysis;

namespace HealthCode.Trust.Status;

/// <summary>A verified status request (issue 4 item 6): which partner asks, about which code.</summary>
/// <param name="Issuer">The asking province (<c>iss</c>), authenticated by its issuer key from its trust list.</param>
/// <param name="Audience">The province asked (<c>aud</c>): this one.</param>
/// <param name="Sub">The code id asked about (<c>sub</c>), as it appears in the scanned token.</param>
/// <param name="IssuedAt">When the request was signed (<c>iat</c>).</param>
/// <param name="ExpiresAt">When it stops being valid (<c>exp</c>), at most a minute later.</param>
/// <param name="Nonce">The request's random id (<c>jti</c>, RFC 7519 §4.1.7): a host that keeps the ids it saw until
/// <see cref="ExpiresAt"/> refuses a replayed request.</param>
public sealed record StatusRequest(string Issuer, string Audience, string Sub, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Nonce);

/// <summary>Why a status request was rejected. Stable snake_case codes via <see cref="StatusRequestErrorCodes.ToCode"/>; the names match DESIGN §5 where they overlap.</summary>
public enum StatusRequestError
{
    /// <summary><c>malformed</c>: too long, not a compact JWS, no <c>kid</c>, or claims missing, of the wrong type, or living longer than a minute.</summary>
    Malformed,

    /// <summary><c>algorithm_not_allowed</c>: the header <c>alg</c> is not ES256.</summary>
    AlgorithmNotAllowed,

    /// <summary><c>wrong_type</c>: the header <c>typ</c> is not <c>hc-status-request+jwt</c> (e.g. a health code replayed as a request).</summary>
    WrongType,

    /// <summary><c>unknown_issuer</c>: the asking province is not a partner here.</summary>
    UnknownIssuer,

    /// <summary><c>unknown_key</c>: the asker's trust list has no usable key under the request's <c>kid</c>.</summary>
    UnknownKey,

    /// <summary><c>key_revoked</c>: the request verifies with a key the asker has revoked.</summary>
    KeyRevoked,

    /// <summary><c>bad_signature</c>: no key of the asker under that <c>kid</c> verifies the signature.</summary>
    BadSignature,

    /// <summary><c>expired</c>: past <c>exp</c>, beyond the clock skew.</summary>
    Expired,

    /// <summary><c>not_yet_valid</c>: <c>iat</c> in the future, beyond the clock skew.</summary>
    NotYetValid,

    /// <summary><c>wrong_audience</c>: the request is addressed to another province (RFC 7519 §4.1.3).</summary>
    WrongAudience,

    /// <summary><c>trust_list_stale</c>: the asker's trust list held here is past its <c>exp</c>.</summary>
    TrustListStale,
}

/// <summary>The stable snake_case codes of <see cref="StatusRequestError"/>.</summary>
public static class StatusRequestErrorCodes
{
    /// <summary>The stable error code, e.g. <c>wrong_audience</c>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The snake_case code.</returns>
    public static string ToCode(this StatusRequestError error) => error switch
    {
        StatusRequestError.Malformed => "malformed",
        StatusRequestError.AlgorithmNotAllowed => "algorithm_not_allowed",
        StatusRequestError.WrongType => "wrong_type",
        StatusRequestError.UnknownIssuer => "unknown_issuer",
        StatusRequestError.UnknownKey => "unknown_key",
        StatusRequestError.KeyRevoked => "key_revoked",
        StatusRequestError.BadSignature => "bad_signature",
        StatusRequestError.Expired => "expired",
        StatusRequestError.NotYetValid => "not_yet_valid",
        StatusRequestError.WrongAudience => "wrong_audience",
        StatusRequestError.TrustListStale => "trust_list_stale",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown status request error."),
    };
}

/// <summary>The outcome of <see cref="StatusRequestCodec.Verify"/>: the verified request, or why it was rejected. Never an exception.</summary>
public sealed class StatusRequestResult
{
    private StatusRequestResult(StatusRequest? request, StatusRequestError? error)
    {
        Request = request;
        Error = error;
    }

    /// <summary>True when the request verified: <see cref="Request"/> is set and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Request is not null;

    /// <summary>The verified request; null when rejected.</summary>
    public StatusRequest? Request { get; }

    /// <summary>Why the request was rejected; null when valid.</summary>
    public StatusRequestError? Error { get; }

    /// <summary>A verified request.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The result.</returns>
    public static StatusRequestResult Success(StatusRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new StatusRequestResult(request, null);
    }

    /// <summary>A rejection.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static StatusRequestResult Failure(StatusRequestError error) => new(null, error);

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid request from {Request.Issuer} for {Request.Sub}" : Error.Value.ToCode();
}
