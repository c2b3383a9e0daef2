namespace HealthCode.Trust;

/// <summary>Issuer ids (DESIGN §4.1): a province's 6-digit GB/T 2260 code, e.g. <c>410000</c>.</summary>
public static class IssuerId
{
    /// <summary>Whether <paramref name="issuer"/> is six ASCII digits.</summary>
    /// <param name="issuer">The text to check; null is not an issuer id.</param>
    /// <returns>True for a well-formed issuer id.</returns>
    public static bool IsValid(string? issuer) => issuer is { Length: 6 } && issuer.All(char.IsAsciiDigit);
}
