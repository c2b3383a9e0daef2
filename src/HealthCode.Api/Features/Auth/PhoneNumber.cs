using System.Text.RegularExpressions;

namespace HealthCode.Api.Features.Auth;

/// <summary>A mainland China mobile number: 11 digits, 1 then 3–9 (the numbering plan's mobile ranges).</summary>
internal static partial class PhoneNumber
{
    public static bool IsValid(string? phone) => phone is not null && Mobile().IsMatch(phone);

    [GeneratedRegex(@"^1[3-9]\d{9}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Mobile();
}
