namespace HealthCode.Trust;

/// <summary>Issuer ids (DESIGN §4.1): a province's 6-digit GB/T 2260 code, e.g. <c>410000</c>.</summary>
internal static class IssuerId
{
    public static bool IsValid(string? issuer) => issuer is { Length: 6 } && issuer.All(char.IsAsciiDigit);
}
