using System.Diagnostics.CodeAnalysis;

namespace HealthCode.Trust.TrustLists;

/// <summary>The outcome of <see cref="TrustListCodec.Verify"/>: the verified list, or why it was rejected. Never an exception.</summary>
public sealed class TrustListResult
{
    private TrustListResult(TrustList? list, TrustListError? error)
    {
        List = list;
        Error = error;
    }

    /// <summary>True when the list verified: <see cref="List"/> is set and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(true, nameof(List))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => List is not null;

    /// <summary>The verified list; null when rejected.</summary>
    public TrustList? List { get; }

    /// <summary>Why the list was rejected; null when valid.</summary>
    public TrustListError? Error { get; }

    /// <summary>A verified list.</summary>
    /// <param name="list">The list.</param>
    /// <returns>The result.</returns>
    public static TrustListResult Success(TrustList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new TrustListResult(list, null);
    }

    /// <summary>A rejection.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static TrustListResult Failure(TrustListError error) => new(null, error);

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid {List.Issuer} seq {List.Seq}" : Error.Value.ToCode();
}
