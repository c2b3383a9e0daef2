using System.Diagnostics.CodeAnalysis;

namespace HealthCode.Trust.Federation;

/// <summary>Why a federation list was rejected (DESIGN §4.5). Stable snake_case codes via <see cref="FederationListErrorCodes.ToCode"/>.</summary>
public enum FederationListError
{
    /// <summary><c>malformed</c>: too large, not a compact JWS, header or payload not the documented JSON, a bad member.</summary>
    Malformed,

    /// <summary><c>algorithm_not_allowed</c>: the header <c>alg</c> is not ES256.</summary>
    AlgorithmNotAllowed,

    /// <summary><c>wrong_type</c>: the header <c>typ</c> is not <c>hc-federation+jwt</c> (e.g. a trust list).</summary>
    WrongType,

    /// <summary><c>bad_signature</c>: the signature does not verify with the pinned hub anchor key.</summary>
    BadSignature,

    /// <summary><c>rollback</c>: the list's <c>seq</c> is lower than the one already held.</summary>
    Rollback,

    /// <summary><c>expired</c>: the list is past its <c>exp</c>, beyond the clock skew.</summary>
    Expired,
}

/// <summary>The stable snake_case codes of <see cref="FederationListError"/>.</summary>
public static class FederationListErrorCodes
{
    /// <summary>The stable error code, e.g. <c>rollback</c>.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The snake_case code.</returns>
    public static string ToCode(this FederationListError error) => error switch
    {
        FederationListError.Malformed => "malformed",
        FederationListError.AlgorithmNotAllowed => "algorithm_not_allowed",
        FederationListError.WrongType => "wrong_type",
        FederationListError.BadSignature => "bad_signature",
        FederationListError.Rollback => "rollback",
        FederationListError.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown federation list error."),
    };
}

/// <summary>The outcome of <see cref="FederationListCodec.Verify"/>: the verified list, or why it was rejected. Never an exception.</summary>
public sealed class FederationListResult
{
    private FederationListResult(FederationList? list, FederationListError? error)
    {
        List = list;
        Error = error;
    }

    /// <summary>True when the list verified: <see cref="List"/> is set and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(true, nameof(List))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => List is not null;

    /// <summary>The verified list; null when rejected.</summary>
    public FederationList? List { get; }

    /// <summary>Why the list was rejected; null when valid.</summary>
    public FederationListError? Error { get; }

    /// <summary>A verified list.</summary>
    /// <param name="list">The list.</param>
    /// <returns>The result.</returns>
    public static FederationListResult Success(FederationList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new FederationListResult(list, null);
    }

    /// <summary>A rejection.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static FederationListResult Failure(FederationListError error) => new(null, error);

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid federation seq {List.Seq}, {List.Members.Count} members" : Error.Value.ToCode();
}
