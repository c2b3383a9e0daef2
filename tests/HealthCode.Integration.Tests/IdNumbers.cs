using System.Globalization;
using System.Security.Cryptography;

namespace HealthCode.Integration.Tests;

internal static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>
    /// A valid resident ID number (GB 11643-1999: region 110105, a birth date, a sequence number and
    /// the ISO 7064 MOD 11-2 check character) that no other test uses, so an ID-card lookup finds
    /// only this test's resident.
    /// </summary>
    public static string NewValid() => NewValid("110105");

    /// <summary>As <see cref="NewValid()"/>, in another <paramref name="region"/>: numbers that never meet the default ones.</summary>
    public static string NewValid(string region)
    {
        var birth = new DateOnly(1950, 1, 1).AddDays(RandomNumberGenerator.GetInt32(0, 50 * 365));
        var body = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture)
                   + RandomNumberGenerator.GetInt32(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (body[i] - '0') * Weights[i];
        }

        return body + CheckCharacters[sum % 11];
    }
}
