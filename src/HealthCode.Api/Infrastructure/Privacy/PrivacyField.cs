using System.Text;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// A personal field stored encrypted (DESIGN §11). Its name is bound into every ciphertext and blind index of the field,
/// so a value copied into another column does not decrypt there and the same number in two fields has two indexes; its
/// normalisation makes the spellings of one value (an ID number's x or X, a phone with spaces) meet in one index.
/// </summary>
internal sealed class PrivacyField
{
    /// <summary>A resident's ID number (GB 11643-1999): the check character X in either case.</summary>
    public static readonly PrivacyField IdNumber = new("id_number", v => v.Trim().ToUpperInvariant());

    /// <summary>A full name, as Unicode NFC without surrounding space.</summary>
    public static readonly PrivacyField FullName = new("name", v => v.Trim().Normalize(NormalizationForm.FormC));

    /// <summary>A mobile phone number: its digits, without a +86 or 0086 country code.</summary>
    public static readonly PrivacyField Phone = new("phone", PhoneDigits);

    /// <summary>A declaration's payload (symptoms, travel): encrypted, never indexed, so no normalisation.</summary>
    public static readonly PrivacyField Declaration = new("declaration", v => v);

    /// <summary>A received batch's body while it is applied (ID numbers, names): encrypted bytes, never indexed.</summary>
    public static readonly PrivacyField BatchBody = new("batch_body", v => v);

    private readonly Func<string, string> normalise;

    public PrivacyField(string name, Func<string, string> normalise)
    {
        // The name goes into associated data and index input; a fixed alphabet keeps it one unambiguous token.
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.'))
        {
            throw new ArgumentException("A field name is 1-64 of a-z, 0-9, '_' and '.'.", nameof(name));
        }

        Name = name;
        this.normalise = normalise;
    }

    /// <summary>The field's name as bound into ciphertexts and indexes; changing it makes every stored value unreadable.</summary>
    public string Name { get; }

    public string Normalise(string value) => normalise(value);

    public override string ToString() => Name;

    private static string PhoneDigits(string value)
    {
        string digits = string.Concat(value.Where(char.IsAsciiDigit));
        return digits switch
        {
            { Length: 13 } when digits.StartsWith("86", StringComparison.Ordinal) => digits[2..],
            { Length: 15 } when digits.StartsWith("0086", StringComparison.Ordinal) => digits[4..],
            _ => digits,
        };
    }
}
