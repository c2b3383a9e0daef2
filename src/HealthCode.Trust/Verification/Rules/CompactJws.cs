using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Verification.Rules;

/// <summary>
/// RFC 7515 §7.1: a compact JWS is three base64url segments joined by two dots. Segments are checked
/// against the base64url alphabet (RFC 4648 §5) without padding, so one token has one spelling.
/// </summary>
internal readonly ref struct CompactJws
{
    private CompactJws(ReadOnlySpan<byte> jws, int firstDot, int secondDot)
    {
        Header = jws[..firstDot];
        Payload = jws[(firstDot + 1)..secondDot];
        Signature = jws[(secondDot + 1)..];
        SigningInput = jws[..secondDot];
    }

    public ReadOnlySpan<byte> Header { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>May be empty (an <c>alg</c> <c>none</c> token); the header rules reject those first.</summary>
    public ReadOnlySpan<byte> Signature { get; }

    /// <summary>RFC 7515 §5.2 step 8: ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), exactly as received.</summary>
    public ReadOnlySpan<byte> SigningInput { get; }

    public static bool TrySplit(ReadOnlySpan<byte> jws, out CompactJws parts)
    {
        parts = default;
        int firstDot = jws.IndexOf((byte)'.');
        if (firstDot <= 0)
        {
            return false;
        }

        int rest = jws[(firstDot + 1)..].IndexOf((byte)'.');
        if (rest <= 0)
        {
            return false;
        }

        int secondDot = firstDot + 1 + rest;
        for (int i = 0; i < jws.Length; i++)
        {
            if (i != firstDot && i != secondDot && !TokenFormat.IsBase64UrlChar(jws[i]))
            {
                return false; // a third dot, padding, or a character outside base64url
            }
        }

        parts = new CompactJws(jws, firstDot, secondDot);
        return true;
    }
}
