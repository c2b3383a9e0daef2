using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// Keyed blind indexes (DESIGN §11): a look-up by ID number or phone finds its row through HMAC-SHA256 (RFC 2104) of the
/// field's normalised value under the index key, never through the clear value. The field name is in the input, so one
/// number has different indexes in different fields; the index key is not a data key, so indexes survive data-key rotation.
/// </summary>
/// <remarks>
/// An index is 43 characters (base64url of the 32-byte MAC, RFC 4648 §5). Without the key nobody can test guesses
/// against it; with it, an ID number's small space could be searched, so the index key is guarded like the data keys.
/// </remarks>
internal sealed class BlindIndex(PrivacyKeyRing ring)
{
    private const int StackLimit = 512;

    /// <summary>The index of <paramref name="value"/> in <paramref name="field"/>; null stays null.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public string? Compute(PrivacyField field, string? value)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is null)
        {
            return null;
        }

        string normalised = field.Normalise(value);
        // len(field) field ‖ value: the length prefix keeps "id_number"+"1…" apart from any other split of the same bytes.
        int length = sizeof(int) + field.Name.Length + Encoding.UTF8.GetByteCount(normalised);
        byte[]? rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented is null ? stackalloc byte[StackLimit] : rented;
        try
        {
            int at = sizeof(int) + Encoding.UTF8.GetBytes(field.Name, input[sizeof(int)..]);
            BinaryPrimitives.WriteInt32BigEndian(input, at - sizeof(int));
            at += Encoding.UTF8.GetBytes(normalised, input[at..]);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(ring.IndexKey.Secret, input[..at], mac);
            return Base64Url.EncodeToString(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input[..Math.Min(length, input.Length)]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
