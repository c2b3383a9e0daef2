namespace HealthCode.Trust.Tokens;

/// <summary>The fixed names and values of the health code token (docs/TOKEN-FORMAT.md).</summary>
internal static class TokenFormat
{
    /// <summary>The only algorithm: ECDSA P-256 SHA-256 (RFC 7518 §3.4).</summary>
    public const string Algorithm = "ES256";

    /// <summary>The JWS <c>typ</c> (RFC 7515 §4.1.9) that marks a health code and nothing else.</summary>
    public const string Type = "hc+jwt";

    /// <summary>ES256 signatures are r‖s, 32 bytes each (RFC 7518 §3.4), never DER.</summary>
    public const int SignatureSize = 64;

    /// <summary>Base64url length of a 64-byte signature, without padding.</summary>
    public const int SignatureB64Length = 86;

    /// <summary>
    /// The most characters the <c>t</c> claim may have: the last 4 of the ID number, never more
    /// (DESIGN §4.1: never the full ID number in the QR). The signer refuses longer, the verifier reads it as malformed.
    /// </summary>
    public const int MaxIdTailLength = 4;

    // Claim names (short, to keep the QR small).
    public static ReadOnlySpan<byte> Iss => "iss"u8;
    public static ReadOnlySpan<byte> Sub => "sub"u8;
    public static ReadOnlySpan<byte> Iat => "iat"u8;
    public static ReadOnlySpan<byte> Exp => "exp"u8;
    public static ReadOnlySpan<byte> Nbf => "nbf"u8;
    public static ReadOnlySpan<byte> Color => "c"u8;
    public static ReadOnlySpan<byte> Name => "n"u8;
    public static ReadOnlySpan<byte> IdTail => "t"u8;
    public static ReadOnlySpan<byte> Version => "v"u8;

    // Colour values of the c claim.
    public const string Green = "g";
    public const string Yellow = "y";
    public const string Red = "r";

    public static string ToClaim(CodeColor color) => color switch
    {
        CodeColor.Green => Green,
        CodeColor.Yellow => Yellow,
        CodeColor.Red => Red,
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown colour."),
    };

    /// <summary>True for the characters of the base64url alphabet (RFC 4648 §5), without padding.</summary>
    public static bool IsBase64UrlChar(byte c) =>
        (uint)(c - 'A') <= 'Z' - 'A' || (uint)(c - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '-' || c == '_';
}
