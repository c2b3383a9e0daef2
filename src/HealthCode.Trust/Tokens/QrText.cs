namespace HealthCode.Trust.Tokens;

/// <summary>
/// The text a health code QR holds: the prefix <c>HC1:/</c>, then the compact JWS in the numeric form of
/// SMART Health Cards (each character c written as the two digits of c − 45). The prefix is in the QR
/// alphanumeric set and the body is all digits, so a QR encoder can use numeric mode for the body
/// (10 bits per 3 digits) and the code stays small.
/// </summary>
public static class QrText
{
    /// <summary>The prefix of format version 1. A later format gets <c>HC2:/</c>, and so on.</summary>
    public const string Prefix = "HC1:/";

    /// <summary>The longest QR text a verifier reads; anything longer is rejected unparsed.</summary>
    public const int MaxLength = 4096;

    /// <summary>The longest compact JWS that fits in <see cref="MaxLength"/>.</summary>
    internal const int MaxJwsLength = (MaxLength - 5) / 2;

    // '-' (45) is the lowest character of base64url and '.', 'z' (122) the highest: values 00..77.
    private const int Offset = '-';
    private const int MaxValue = 'z' - Offset;

    /// <summary>Encodes a compact JWS as QR text.</summary>
    /// <param name="compactJws">A compact JWS: base64url segments joined by dots.</param>
    /// <returns><c>HC1:/</c> followed by two digits per JWS character.</returns>
    /// <exception cref="ArgumentException">The text has a character that is neither base64url nor '.'.</exception>
    public static string Encode(string compactJws)
    {
        ArgumentNullException.ThrowIfNull(compactJws);
        foreach (char c in compactJws)
        {
            if (c > 'z' || (c != '.' && !TokenFormat.IsBase64UrlChar((byte)c)))
            {
                throw new ArgumentException($"'{c}' cannot occur in a compact JWS.", nameof(compactJws));
            }
        }

        return string.Create(Prefix.Length + (compactJws.Length * 2), compactJws, static (span, jws) =>
        {
            Prefix.CopyTo(span);
            span = span[Prefix.Length..];
            for (int i = 0; i < jws.Length; i++)
            {
                int value = jws[i] - Offset;
                span[2 * i] = (char)('0' + (value / 10));
                span[(2 * i) + 1] = (char)('0' + (value % 10));
            }
        });
    }

    /// <summary>Decodes QR text back to the compact JWS. Never throws on bad input.</summary>
    /// <param name="qrText">The scanned text.</param>
    /// <param name="compactJws">The JWS when the text is well formed, else empty.</param>
    /// <returns>False for a missing or other prefix, an empty or odd-length body, a non-ASCII-digit, or a pair above 77.</returns>
    public static bool TryDecode(string qrText, out string compactJws)
    {
        compactJws = string.Empty;
        if (qrText is null || qrText.Length > MaxLength || !HasPrefix(qrText))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[MaxJwsLength];
        if (!TryDecodeBody(qrText.AsSpan(Prefix.Length), buffer, out int written))
        {
            return false;
        }

        compactJws = System.Text.Encoding.ASCII.GetString(buffer[..written]);
        return true;
    }

    /// <summary>True when the text starts with the version-1 prefix (exact, case-sensitive).</summary>
    internal static bool HasPrefix(ReadOnlySpan<char> qrText) => qrText.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Decodes the digits after the prefix into the ASCII bytes of the JWS, without allocating.</summary>
    internal static bool TryDecodeBody(ReadOnlySpan<char> body, Span<byte> destination, out int written)
    {
        written = 0;
        if (body.IsEmpty || (body.Length & 1) != 0 || body.Length / 2 > destination.Length)
        {
            return false;
        }

        for (int i = 0; i < body.Length; i += 2)
        {
            // Only ASCII 0-9: char.IsDigit would also take Arabic-Indic or full-width digits.
            uint high = (uint)(body[i] - '0');
            uint low = (uint)(body[i + 1] - '0');
            if (high > 9 || low > 9)
            {
                return false;
            }

            uint value = (high * 10) + low;
            if (value > MaxValue)
            {
                return false;
            }

            destination[i / 2] = (byte)(value + Offset);
        }

        written = body.Length / 2;
        return true;
    }
}
