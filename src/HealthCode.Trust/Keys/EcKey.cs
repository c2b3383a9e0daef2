using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HealthCode.Trust.Keys;

/// <summary>
/// An EC P-256 key (the only key type HealthCode uses: ES256, RFC 7518 §3.4), kept and exchanged as
/// a JWK (RFC 7517, members per RFC 7518 §6.2). It may hold only the public part, e.g. a partner's key.
/// </summary>
public sealed class EcKey : IDisposable
{
    /// <summary>Length of <see cref="Kid"/>: the thumbprint truncated, as DESIGN §4.1 allows, to keep the QR small.</summary>
    public const int KidLength = 8;

    // RFC 7518 §6.2.1.2/§6.2.1.3/§6.2.2.1: x, y and d are the full 32-byte P-256 field size.
    private const int CoordinateSize = 32;

    private readonly ECDsa _ecdsa;
    private readonly byte[] _x;
    private readonly byte[] _y;

    private EcKey(ECDsa ecdsa, bool hasPrivateKey)
    {
        _ecdsa = ecdsa;
        HasPrivateKey = hasPrivateKey;
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        _x = parameters.Q.X!;
        _y = parameters.Q.Y!;
        Thumbprint = ComputeThumbprint(_x, _y);
        Kid = Thumbprint[..KidLength];
    }

    /// <summary>True when the key can sign (the JWK had <c>d</c>, or the key was generated here).</summary>
    public bool HasPrivateKey { get; }

    /// <summary>The RFC 7638 JWK thumbprint: base64url SHA-256 of <c>{"crv","kty","x","y"}</c> in lexicographic order.</summary>
    public string Thumbprint { get; }

    /// <summary>The key id put in JWS headers: the first <see cref="KidLength"/> characters of <see cref="Thumbprint"/>.
    /// Truncated ids can collide, so verifiers try every key that shares one (DESIGN §4.1).</summary>
    public string Kid { get; }

    /// <summary>The key for signing and verifying. Always P-256; owned by this instance.</summary>
    public ECDsa Ecdsa => _ecdsa;

    /// <summary>Generates a new P-256 key pair.</summary>
    /// <returns>A key with its private part.</returns>
    public static EcKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), hasPrivateKey: true);

    /// <summary>Reads a public or private JWK file.</summary>
    /// <param name="path">The <c>.jwk</c> file.</param>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidKeyException">The file is not an EC P-256 JWK; the message names the file.</exception>
    public static EcKey Load(string path)
    {
        string json = File.ReadAllText(path, Encoding.UTF8);
        try
        {
            return FromJwk(json);
        }
        catch (InvalidKeyException ex)
        {
            throw new InvalidKeyException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a public or private JWK (RFC 7517 §4, RFC 7518 §6.2).</summary>
    /// <param name="json">The JWK as JSON.</param>
    /// <returns>The key; it can sign when the JWK has <c>d</c>.</returns>
    /// <exception cref="InvalidKeyException">Not JSON, not <c>kty</c> EC with <c>crv</c> P-256, a bad coordinate,
    /// an <c>alg</c> other than ES256, a <c>use</c> other than sig, or a <c>kid</c> that is not derived from the key.</exception>
    public static EcKey FromJwk(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidKeyException("The JWK is not valid JSON.", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidKeyException("The JWK must be a JSON object.");
            }

            // RFC 7517 §4.1: kty is required; only EC P-256 (RFC 7518 §6.2.1.1) is accepted, so an RSA,
            // oct (HMAC) or OKP key can never be configured as an issuer or root key.
            string kty = RequiredString(root, "kty");
            if (kty != "EC")
            {
                throw new InvalidKeyException($"Unsupported key type \"{kty}\": only kty \"EC\" with crv \"P-256\" is accepted.");
            }

            string crv = RequiredString(root, "crv");
            if (crv != "P-256")
            {
                throw new InvalidKeyException($"Unsupported curve \"{crv}\": only crv \"P-256\" (ES256) is accepted.");
            }

            // RFC 7517 §4.4 / §4.2: when present, alg and use must fit ES256 signing.
            string? alg = OptionalString(root, "alg");
            if (alg is not null && alg != "ES256")
            {
                throw new InvalidKeyException($"The JWK is for alg \"{alg}\"; only ES256 is accepted.");
            }

            string? use = OptionalString(root, "use");
            if (use is not null && use != "sig")
            {
                throw new InvalidKeyException($"The JWK is for use \"{use}\"; only \"sig\" is accepted.");
            }

            var parameters = new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = RequiredCoordinate(root, "x"), Y = RequiredCoordinate(root, "y") },
                D = root.TryGetProperty("d", out _) ? RequiredCoordinate(root, "d") : null,
            };

            ECDsa ecdsa = ECDsa.Create();
            EcKey key;
            try
            {
                // Rejects a point that is not on the curve, and a d that does not match (x, y).
                ecdsa.ImportParameters(parameters);
                key = new EcKey(ecdsa, hasPrivateKey: parameters.D is not null);
            }
            catch (CryptographicException ex)
            {
                ecdsa.Dispose();
                throw new InvalidKeyException("The JWK is not a valid P-256 key: " + ex.Message, ex);
            }
            finally
            {
                if (parameters.D is not null)
                {
                    CryptographicOperations.ZeroMemory(parameters.D);
                }
            }

            // DESIGN §4.1: a kid is derived from the key (possibly truncated). A kid that is not a prefix of the
            // thumbprint would let two different keys pose under one name, so it is refused.
            string? kid = OptionalString(root, "kid");
            if (kid is not null && (kid.Length == 0 || !key.Thumbprint.StartsWith(kid, StringComparison.Ordinal)))
            {
                key.Dispose();
                throw new InvalidKeyException($"The JWK kid \"{kid}\" is not derived from the key (RFC 7638 thumbprint {key.Thumbprint}).");
            }

            return key;
        }
    }

    /// <summary>The public JWK: <c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c>, <c>kid</c>, <c>alg</c>, <c>use</c>.</summary>
    /// <returns>Compact JSON.</returns>
    public string ToPublicJwk() => ToJwk(includePrivate: false, indented: false);

    /// <summary>The private JWK: the public members plus <c>d</c>.</summary>
    /// <returns>Compact JSON.</returns>
    /// <exception cref="InvalidOperationException">The key holds only its public part.</exception>
    public string ToPrivateJwk() => ToJwk(includePrivate: true, indented: false);

    /// <inheritdoc />
    public void Dispose() => _ecdsa.Dispose();

    /// <summary>Writes the JWK; the key files use the indented form so operators can read them.</summary>
    internal string ToJwk(bool includePrivate, bool indented)
    {
        if (includePrivate && !HasPrivateKey)
        {
            throw new InvalidOperationException($"Key {Kid} holds only a public key; there is no private JWK to write.");
        }

        byte[]? d = includePrivate ? _ecdsa.ExportParameters(includePrivateParameters: true).D : null;
        try
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
            {
                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Base64Url.EncodeToString(_x));
                writer.WriteString("y", Base64Url.EncodeToString(_y));
                if (d is not null)
                {
                    writer.WriteString("d", Base64Url.EncodeToString(d));
                }

                writer.WriteString("kid", Kid);
                writer.WriteString("alg", "ES256");
                writer.WriteString("use", "sig");
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        finally
        {
            if (d is not null)
            {
                CryptographicOperations.ZeroMemory(d);
            }
        }
    }

    /// <summary>RFC 7638 §3.2: the required members of an EC key, in lexicographic order, no whitespace.</summary>
    internal static string ThumbprintInput(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) =>
        "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + Base64Url.EncodeToString(x) + "\",\"y\":\"" + Base64Url.EncodeToString(y) + "\"}";

    private static string ComputeThumbprint(byte[] x, byte[] y)
    {
        // RFC 7638 §3.1: SHA-256 over the UTF-8 of the canonical JSON, then base64url (RFC 7515 §2).
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(ThumbprintInput(x, y)));
        return Base64Url.EncodeToString(hash);
    }

    private static string RequiredString(JsonElement root, string name) =>
        OptionalString(root, name) ?? throw new InvalidKeyException($"The JWK has no \"{name}\" member.");

    private static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidKeyException($"The JWK member \"{name}\" must be a string.");
    }

    private static byte[] RequiredCoordinate(JsonElement root, string name)
    {
        string text = RequiredString(root, name);
        byte[] bytes = new byte[CoordinateSize];
        // Base64Url.TryDecodeFromChars throws FormatException (not false) on an impossible length and on a last
        // character whose unused bits are not zero; the OperationStatus overload says InvalidData instead.
        if (Base64Url.GetEncodedLength(CoordinateSize) != text.Length
            || !IsBase64UrlAlphabet(text)
            || Base64Url.DecodeFromChars(text, bytes, out int consumed, out int written) != System.Buffers.OperationStatus.Done
            || consumed != text.Length
            || written != CoordinateSize)
        {
            throw new InvalidKeyException($"The JWK member \"{name}\" must be {CoordinateSize} bytes, base64url without padding (RFC 7518 §6.2).");
        }

        return bytes;
    }

    private static bool IsBase64UrlAlphabet(string text)
    {
        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
