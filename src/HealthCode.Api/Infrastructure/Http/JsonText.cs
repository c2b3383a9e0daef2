using System.Globalization;
using System.Text.Unicode;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>Whether JSON text is Unicode text: UTF-8 bytes (RFC 8259 §8.1), and no escape that stands for half a character.</summary>
internal static class JsonText
{
    /// <summary>
    /// UTF-8, and no <c>\uD800</c>-<c>\uDFFF</c> escape outside a high-low pair (RFC 8259 §8.2 allows them, but such a
    /// string is not text: it cannot be written as UTF-8, and the reader throws when a consumer finally decodes it,
    /// for example a JsonElement member deep in a handler). Checked once per body; a body without a backslash
    /// costs one vectorised search beyond the UTF-8 check.
    /// </summary>
    public static bool IsText(ReadOnlySpan<byte> json) => Utf8.IsValid(json) && !HasUnpairedSurrogate(json);

    private static bool HasUnpairedSurrogate(ReadOnlySpan<byte> json)
    {
        // Escapes are taken in order, so "\\u" (an escaped backslash, then 'u') is never read as \u. A backslash
        // outside a string is a syntax error the parser reports; it is skipped here like any other escape.
        for (var i = json.IndexOf((byte)'\\'); i >= 0; i = Next(json, i))
        {
            if (Escaped(json, i) is not { } unit)
            {
                i += 2;
                continue;
            }

            if (char.IsLowSurrogate(unit))
            {
                return true;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (Escaped(json, i + 6) is not { } low || !char.IsLowSurrogate(low))
                {
                    return true;
                }

                i += 6;
            }

            i += 6;
        }

        return false;
    }

    /// <summary>The UTF-16 unit of a <c>\uXXXX</c> escape at <paramref name="at"/>, or null when none starts there.</summary>
    private static char? Escaped(ReadOnlySpan<byte> json, int at) =>
        at + 6 <= json.Length && json[at] == '\\' && json[at + 1] == 'u'
            && ushort.TryParse(json.Slice(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var unit)
            ? (char)unit
            : null;

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length)
        {
            return -1;
        }

        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }
}
