using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Tokens;

/// <summary>
/// Signs health code tokens: a compact JWS (RFC 7515 §7.1) with header
/// <c>{"alg":"ES256","typ":"hc+jwt","kid":"…"}</c> and the short claims of docs/TOKEN-FORMAT.md.
/// Thread-safe; one instance per issuer key.
/// </summary>
/// <param name="issuerKey">The active issuer key; must hold its private part. Not owned: the caller disposes it.</param>
public sealed class HealthCodeSigner(EcKey issuerKey)
{
    // Names and CJK are written as UTF-8, not \uXXXX: three bytes per character instead of six keeps the QR small.
    // HTML-sensitive characters are still escaped.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        SkipValidation = false,
    };

    private readonly EcKey _key = issuerKey is { HasPrivateKey: true }
        ? issuerKey
        : throw new ArgumentException("The issuer key must hold its private part to sign.", nameof(issuerKey));

    // RFC 7515 §4.1: the header is the same for every token of this key, so it is encoded once.
    private readonly byte[] _encodedHeader = Encoding.ASCII.GetBytes(
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{{\"alg\":\"{TokenFormat.Algorithm}\",\"typ\":\"{TokenFormat.Type}\",\"kid\":\"{issuerKey.Kid}\"}}")));

    /// <summary>The kid this signer puts in its headers.</summary>
    public string Kid => _key.Kid;

    /// <summary>Signs the claims as a compact JWS.</summary>
    /// <param name="claims">The token's claims; times are truncated to whole seconds.</param>
    /// <returns><c>header.payload.signature</c>, base64url, the signature ES256 r‖s.</returns>
    /// <exception cref="ArgumentException">The claims are not a token this service may issue (a bug in the caller).</exception>
    public string Sign(HealthCodeClaims claims)
    {
        Validate(claims);
        var payload = new ArrayBufferWriter<byte>(192);
        using (var writer = new Utf8JsonWriter(payload, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(TokenFormat.Iss, claims.Issuer);
            writer.WriteString(TokenFormat.Sub, claims.CodeId);
            writer.WriteNumber(TokenFormat.Iat, claims.IssuedAt.ToUnixTimeSeconds());
            writer.WriteNumber(TokenFormat.Exp, claims.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteString(TokenFormat.Color, TokenFormat.ToClaim(claims.Color));
            writer.WriteString(TokenFormat.Name, claims.MaskedName);
            writer.WriteString(TokenFormat.IdTail, claims.IdTail);
            writer.WriteNumber(TokenFormat.Version, claims.StatusVersion);
            writer.WriteEndObject();
        }

        // RFC 7515 §5.1: signing input = ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
        int payloadLength = Base64Url.GetEncodedLength(payload.WrittenCount);
        int inputLength = _encodedHeader.Length + 1 + payloadLength;
        byte[] buffer = new byte[inputLength + 1 + TokenFormat.SignatureB64Length];
        _encodedHeader.CopyTo(buffer, 0);
        buffer[_encodedHeader.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(payload.WrittenSpan, buffer.AsSpan(_encodedHeader.Length + 1, payloadLength));

        // RFC 7518 §3.4: the JWS signature is r‖s in fixed 32-byte fields (IEEE P1363), not ASN.1 DER.
        Span<byte> signature = stackalloc byte[TokenFormat.SignatureSize];
        int signatureLength = _key.Ecdsa.SignData(
            buffer.AsSpan(0, inputLength),
            signature,
            HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (signatureLength != TokenFormat.SignatureSize)
        {
            throw new CryptographicException($"ES256 signature of {signatureLength} bytes; expected {TokenFormat.SignatureSize}.");
        }

        buffer[inputLength] = (byte)'.';
        Base64Url.EncodeToUtf8(signature, buffer.AsSpan(inputLength + 1));
        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Signs the claims and returns the text to put in the QR (<see cref="QrText.Encode"/>).</summary>
    /// <param name="claims">The token's claims.</param>
    /// <returns><c>HC1:/</c> followed by the numeric-encoded JWS.</returns>
    public string SignQr(HealthCodeClaims claims) => QrText.Encode(Sign(claims));

    private static void Validate(HealthCodeClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentException.ThrowIfNullOrEmpty(claims.Issuer, nameof(claims));
        ArgumentException.ThrowIfNullOrEmpty(claims.CodeId, nameof(claims));
        ArgumentNullException.ThrowIfNull(claims.MaskedName, nameof(claims));
        if (claims.IdTail is null || claims.IdTail.Length > TokenFormat.MaxIdTailLength)
        {
            throw new ArgumentException("IdTail must be at most the last 4 characters of the ID number, never more.", nameof(claims));
        }

        if (claims.ExpiresAt.ToUnixTimeSeconds() <= claims.IssuedAt.ToUnixTimeSeconds())
        {
            throw new ArgumentException("ExpiresAt must be at least a second after IssuedAt.", nameof(claims));
        }

        if (claims.StatusVersion < 0)
        {
            throw new ArgumentException("StatusVersion cannot be negative.", nameof(claims));
        }
    }
}
