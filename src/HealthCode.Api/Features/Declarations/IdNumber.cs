using System.Globalization;
using System.Text;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// The 18-character PRC resident identity number of GB 11643-1999 (公民身份号码): a 6-digit GB/T 2260
/// address code, an 8-digit birth date (yyyyMMdd), a 3-digit sequence and an ISO 7064 MOD 11-2 check
/// character. Neither the number nor the name is ever logged: callers keep only <see cref="Tail"/>
/// and <see cref="MaskName"/>.
/// </summary>
internal static class IdNumber
{
    public const string InvalidFormat = "id_number_invalid_format";
    public const string InvalidChecksum = "id_number_invalid_checksum";
    public const string InvalidBirthDate = "id_number_invalid_birth_date";
    public const string InvalidRegion = "id_number_invalid_region";

    // GB 11643-1999 §6.2: weight of position i is 2^(17-i) mod 11, for the 17 leading digits.
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    // GB 11643-1999 §6.2: the check character for (sum mod 11) = 0..10.
    private const string CheckCharacters = "10X98765432";

    /// <summary>
    /// Checks format, check character, birth date (a real date, not after <paramref name="today"/>)
    /// and address code (a known GB/T 2260 code, current or retired, see <see cref="RegionCodes"/>).
    /// A lowercase <c>x</c> is accepted as the check character.
    /// </summary>
    /// <param name="errorCode">The first failed rule: <c>required</c>, <see cref="InvalidFormat"/>,
    /// <see cref="InvalidChecksum"/>, <see cref="InvalidBirthDate"/> or <see cref="InvalidRegion"/>;
    /// empty when valid.</param>
    public static bool IsValid(string? id, DateOnly today, out string errorCode)
    {
        if (string.IsNullOrEmpty(id))
        {
            errorCode = "required";
            return false;
        }

        if (id.Length != 18 || id.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9') || !IsCheckCharacter(id[17]))
        {
            errorCode = InvalidFormat;
            return false;
        }

        // The check comes before the date and region: a typo is by far the likeliest error, and the
        // checksum is the rule that names it.
        if (char.ToUpperInvariant(id[17]) != CheckCharacter(id.AsSpan(0, 17)))
        {
            errorCode = InvalidChecksum;
            return false;
        }

        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth > today)
        {
            errorCode = InvalidBirthDate;
            return false;
        }

        if (!RegionCodes.IsKnownForIdNumber(id[..6]))
        {
            errorCode = InvalidRegion;
            return false;
        }

        errorCode = string.Empty;
        return true;
    }

    /// <summary>The GB 11643-1999 check character (<c>0</c>-<c>9</c> or <c>X</c>) of 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17 || first17.ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException("Exactly 17 digits are needed.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>The last 4 characters (what a token carries so staff can match an ID card), with
    /// <c>x</c> upper-cased.</summary>
    public static string Tail(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length < 4)
        {
            throw new ArgumentException("An ID number has at least 4 characters.", nameof(id));
        }

        return id[^4..].ToUpperInvariant();
    }

    /// <summary>
    /// Masks a name for a code and a verdict so that it never shows whole (DESIGN §4.1: never the full
    /// name in the QR). The name is split into parts at spaces and name separators (<c>·</c>, <c>•</c>,
    /// <c>-</c>, <c>.</c>, <c>'</c>), which stay, so the shape of a Latin or minority name survives; every
    /// other character becomes <c>*</c> except:
    /// <list type="bullet">
    /// <item>the first character of the name, when its part has two or more characters;</item>
    /// <item>the last character of the name, when its part has three or more characters, or two and it is
    /// not also the part that shows its first.</item>
    /// </list>
    /// So every part of two or more characters hides at least one of them, and a part of one character
    /// hides it: <c>张三艺</c> → <c>张*艺</c>, <c>欧阳娜娜</c> → <c>欧**娜</c>, <c>张三</c> → <c>张*</c>,
    /// <c>张</c> → <c>*</c>, <c>阿卜杜·热合曼</c> → <c>阿**·**曼</c>, <c>John Smith</c> → <c>J*** ****h</c>,
    /// <c>Li Na</c> → <c>L* *a</c>, <c>A B</c> → <c>* *</c>. Surrounding white space is dropped. Works on
    /// text elements, so a character outside the BMP (𠮷) or with combining marks counts as one.
    /// </summary>
    public static string MaskName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var elements = new List<string>();
        var enumerator = StringInfo.GetTextElementEnumerator(name.Trim());
        while (enumerator.MoveNext())
        {
            elements.Add(enumerator.GetTextElement());
        }

        // Only separators (or nothing): there is no letter to show.
        var first = elements.FindIndex(e => !IsSeparator(e));
        if (first < 0)
        {
            return "*";
        }

        var last = elements.FindLastIndex(e => !IsSeparator(e));
        var firstPartEnd = PartEnd(elements, first);
        var lastPartStart = PartStart(elements, last);
        var showFirst = firstPartEnd - first >= 1;
        var showLast = last - lastPartStart >= (lastPartStart == first ? 2 : 1);

        var masked = new StringBuilder();
        for (var i = 0; i < elements.Count; i++)
        {
            masked.Append(IsSeparator(elements[i]) || (i == first && showFirst) || (i == last && showLast) ? elements[i] : "*");
        }

        return masked.ToString();
    }

    /// <summary>The index of the last element of the part that holds element <paramref name="at"/>.</summary>
    private static int PartEnd(List<string> elements, int at)
    {
        while (at + 1 < elements.Count && !IsSeparator(elements[at + 1]))
        {
            at++;
        }

        return at;
    }

    /// <summary>The index of the first element of the part that holds element <paramref name="at"/>.</summary>
    private static int PartStart(List<string> elements, int at)
    {
        while (at > 0 && !IsSeparator(elements[at - 1]))
        {
            at--;
        }

        return at;
    }

    private static bool IsCheckCharacter(char c) => char.IsAsciiDigit(c) || c is 'X' or 'x';

    private static bool IsSeparator(string element) =>
        element is " " or "·" or "•" or "-" or "." or "'";
}
