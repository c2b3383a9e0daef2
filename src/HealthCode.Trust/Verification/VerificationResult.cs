using System.Diagnostics.CodeAnalysis;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Verification;

/// <summary>The verdict on a scanned code: either valid with its claims, or an error. Never an exception.</summary>
public sealed class VerificationResult
{
    // One shared instance per error: rejecting a code allocates nothing.
    private static readonly VerificationResult[] Failures =
        [.. Enum.GetValues<VerificationError>().OrderBy(e => (int)e).Select(e => new VerificationResult(null, null, e))];

    private VerificationResult(HealthCodeClaims? claims, IssuerKeyEntry? key, VerificationError? error)
    {
        Claims = claims;
        Key = key;
        Error = error;
    }

    /// <summary>True when the code verified: <see cref="Claims"/> is set and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(true, nameof(Claims), nameof(Key))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Claims is not null;

    /// <summary>The verified claims; null when the code was rejected.</summary>
    public HealthCodeClaims? Claims { get; }

    /// <summary>The trusted key that verified the signature (its status may be <see cref="KeyStatus.Retired"/>); null when rejected.</summary>
    public IssuerKeyEntry? Key { get; }

    /// <summary>Why the code was rejected; null when it is valid.</summary>
    public VerificationError? Error { get; }

    /// <summary>A valid verdict.</summary>
    /// <param name="claims">The verified claims.</param>
    /// <param name="key">The key that verified them.</param>
    /// <returns>The result.</returns>
    public static VerificationResult Success(HealthCodeClaims claims, IssuerKeyEntry key)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(key);
        return new VerificationResult(claims, key, null);
    }

    /// <summary>A rejection, e.g. for errors the host decides (<see cref="VerificationError.CodeRevoked"/>).</summary>
    /// <param name="error">Why.</param>
    /// <returns>The shared result for that error.</returns>
    public static VerificationResult Failure(VerificationError error) => Failures[(int)error];

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid {Claims.Issuer}/{Claims.CodeId}" : Error.Value.ToCode();
}
