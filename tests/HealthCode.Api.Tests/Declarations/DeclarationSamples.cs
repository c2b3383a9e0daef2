using HealthCode.Api.Features.Declarations;

namespace HealthCode.Api.Tests.Features.Declarations;

/// <summary>Valid inputs that each test changes one thing of.</summary>
internal static class DeclarationSamples
{
    public static readonly DateOnly Today = new(2025, 3, 10);

    /// <summary>
    /// An 18-character ID from 17 digits, with the check character computed here from
    /// GB 11643-1999 §6.2 directly (weights 2^(17-i) mod 11), independently of the code under test.
    /// </summary>
    public static string Id(string first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var weight = (int)(Math.Pow(2, 17 - i) % 11);
            sum += (first17[i] - '0') * weight;
        }

        return first17 + "10X98765432"[sum % 11];
    }

    /// <summary>The same ID with a wrong check character.</summary>
    public static string WrongCheck(string first17)
    {
        var right = Id(first17)[17];
        return first17 + (right == '0' ? '1' : '0');
    }

    public static Declaration Clean(DateOnly? today = null) => new(
        Name: "张三艺",
        IdNumber: Id("41010519900307123"),
        Phone: "13800138000",
        Region: "410105",
        Travel: [],
        Symptoms: [],
        Temperature: 36.5m,
        Contact: new ContactDeclaration(false, false, false),
        LastTest: null);

    /// <summary>A test sampled at 10:00 China Standard Time on the given day.</summary>
    public static TestDeclaration Test(string result, DateOnly day) =>
        new(result, new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)));
}
