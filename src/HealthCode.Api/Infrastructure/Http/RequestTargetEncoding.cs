using System.Buffers;
using System.Text.Unicode;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// Refuses a path or query string whose percent-encoded bytes are not UTF-8 (<c>%FF</c>, an overlong <c>%C0%80</c>,
/// an encoded surrogate) with 400 <c>invalid_utf8</c>, naming the query parameter when there is one. Kestrel
/// leaves such escapes undecoded and the query parser passes them on as text, so without this a route value or a
/// query value would reach a handler as "%FF". RFC 3986 §2.5: percent-encoded octets of new URIs are UTF-8.
/// Raw bytes that are not UTF-8 (in the target or in a header) never get here: Kestrel answers them 400 itself.
/// </summary>
internal static class RequestTargetEncoding
{
    public static IApplicationBuilder UseRequestTargetEncoding(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || !target.Contains('%', StringComparison.Ordinal) || DecodesToUtf8(target))
        {
            return next(context);
        }

        var query = target.IndexOf('?', StringComparison.Ordinal);
        var parameter = query < 0 ? null : InvalidParameter(target.AsSpan(query + 1));
        return (parameter is null
            ? RequestProblems.InvalidUtf8("The path or query string has percent-encoded bytes that are not UTF-8.")
            : RequestProblems.InvalidUtf8($"The query parameter '{parameter}' has percent-encoded bytes that are not UTF-8.",
                [new FieldError(parameter, RequestProblems.InvalidUtf8Code, "Percent-encode this value's text as UTF-8.")]))
            .WriteAsync(context);
    });

    /// <summary>Whether the bytes that <paramref name="text"/>'s escapes stand for, with its other characters, are UTF-8. A '%' that starts no escape stands for itself.</summary>
    public static bool DecodesToUtf8(ReadOnlySpan<char> text)
    {
        var rented = ArrayPool<byte>.Shared.Rent(text.Length);
        try
        {
            var length = 0;
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                {
                    rented[length++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                    i += 2;
                }
                else
                {
                    // The raw target is ASCII (Kestrel refuses other bytes); a char beyond is not UTF-8 by this test's measure.
                    rented[length++] = text[i] < 0x80 ? (byte)text[i] : (byte)0xFF;
                }
            }

            return Utf8.IsValid(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The (decoded) name of the first query parameter whose value does not decode to UTF-8, when its name does.</summary>
    private static string? InvalidParameter(ReadOnlySpan<char> query)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            if (!DecodesToUtf8(pair) && DecodesToUtf8(name))
            {
                return Uri.UnescapeDataString(name.ToString());
            }
        }

        return null;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
