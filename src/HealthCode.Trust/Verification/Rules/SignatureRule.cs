using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using HealthCode.Trust.Tokens;

namespace HealthCode.Trust.Verification.Rules;

/// <summary>
/// RFC 7518 §3.4: an ES256 signature is the 64 bytes r‖s (IEEE P1363). A DER (ASN.1) signature, any other
/// length, or a non-canonical base64url spelling of the 64 bytes is a bad signature, never "repaired".
/// </summary>
internal static class SignatureRule
{
    public static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> signature)
    {
        if (encoded.Length != TokenFormat.SignatureB64Length
            || Base64Url.DecodeFromUtf8(encoded, signature, out _, out int written) != OperationStatus.Done
            || written != TokenFormat.SignatureSize)
        {
            return false;
        }

        // The last character carries 4 unused bits; only the spelling with them zero is accepted.
        Span<byte> canonical = stackalloc byte[TokenFormat.SignatureB64Length];
        Base64Url.EncodeToUtf8(signature, canonical);
        return canonical.SequenceEqual(encoded);
    }

    public static bool Verifies(IssuerKeyEntry entry, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature) =>
        entry.Key.Ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
