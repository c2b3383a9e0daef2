using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using HealthCode.Trust.Privacy;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// Personal fields encrypted at rest (DESIGN §11): AES-256-GCM (NIST SP 800-38D) with the current data key, a random
/// 96-bit nonce per value, and the kid stored with the value so that keys rotate: an old value reads with its own key,
/// a new one is written with the current key, and <see cref="NeedsRewrap"/> tells a re-encryption job what to rewrite.
/// </summary>
/// <remarks>
/// <para>A protected value is text, for a TEXT column in either store: <c>v1.&lt;kid&gt;.&lt;base64url(nonce ‖ ciphertext ‖ tag)&gt;</c>
/// (12-byte nonce, 16-byte tag; RFC 4648 §5 without padding).</para>
/// <para>The associated data binds the value to its version, kid, field and row context (such as the person id), each
/// length-prefixed so that no two of them run together: a ciphertext copied to another column or row fails its tag.</para>
/// <para>Random nonces: SP 800-38D §8.3 allows 2^32 values per key; rotate the data key well before that (README of
/// keys-sample/privacy).</para>
/// </remarks>
internal sealed class FieldCipher : IDisposable
{
    public const string Version = "v1";

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int StackLimit = 256;

    /// <summary>The first byte of a <see cref="ProtectBytes"/> blob: its format's version.</summary>
    private const byte BlobVersion = 1;

    private static readonly SearchValues<char> KidCharacters = SearchValues.Create("0123456789abcdef");
    private static readonly byte[] AadLabel = "healthcode field v1"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ConcurrentDictionary<string, AesPool> pools;
    private readonly AesPool current;
    private readonly PrivacyKeyRing ring;

    public FieldCipher(PrivacyKeyRing ring)
    {
        this.ring = ring;
        pools = new(ring.DataKeys.Select(k => new KeyValuePair<string, AesPool>(k.Kid, new AesPool(k))), StringComparer.Ordinal);
        current = pools[ring.CurrentDataKey.Kid];
    }

    /// <summary>The kid of the current data key, which new values are written with.</summary>
    public string CurrentKid => current.Kid;

    /// <summary>The protected form of <paramref name="value"/>, written with the current data key; null stays null.</summary>
    /// <param name="field">The field it is stored in; bound into the value.</param>
    /// <param name="value">The clear value.</param>
    /// <param name="context">The row it belongs to (a person id), bound into the value; null and empty are the same.</param>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Protect(PrivacyField field, string? value, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (value is null)
        {
            return null;
        }

        int plainLength = StrictUtf8.GetByteCount(value);
        int payloadLength = NonceBytes + plainLength + TagBytes;
        byte[] rented = ArrayPool<byte>.Shared.Rent(plainLength + payloadLength);
        try
        {
            Span<byte> plain = rented.AsSpan(0, plainLength);
            Span<byte> payload = rented.AsSpan(plainLength, payloadLength);
            StrictUtf8.GetBytes(value, plain);
            Span<byte> nonce = payload[..NonceBytes];
            RandomNumberGenerator.Fill(nonce);
            Seal(current, field, context, nonce, plain, payload.Slice(NonceBytes, plainLength), payload[^TagBytes..]);
            return Format(current.Kid, payload);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, plainLength));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The clear value of <paramref name="protectedValue"/>, read with the key its kid names; null stays null.</summary>
    /// <param name="field">The field it was read from; must be the one it was written to.</param>
    /// <param name="protectedValue">The stored value.</param>
    /// <param name="context">The row it was read from; must be the one it was written with.</param>
    /// <exception cref="ProtectedValueException">Malformed, truncated, an unknown version or kid, or it does not authenticate.</exception>
    [return: NotNullIfNotNull(nameof(protectedValue))]
    public string? Unprotect(PrivacyField field, string? protectedValue, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (protectedValue is null)
        {
            return null;
        }

        string kid = Parse(field.Name, protectedValue, out ReadOnlySpan<char> encoded);
        if (!pools.TryGetValue(kid, out AesPool? pool))
        {
            // Another instance may already write with a key added to the folder after this one started.
            pool = ring.TryLoadDataKey(kid) is { } added
                ? pools.GetOrAdd(kid, _ => new AesPool(added))
                : throw new ProtectedValueException(field.Name, ProtectedValueProblem.UnknownKey, kid);
        }

        int maxPayload = Base64Url.GetMaxDecodedLength(encoded.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(maxPayload * 2);
        int plainLength = 0;
        try
        {
            if (Base64Url.DecodeFromChars(encoded, rented, out _, out int payloadLength) != OperationStatus.Done
                || payloadLength < NonceBytes + TagBytes)
            {
                throw new ProtectedValueException(field.Name, ProtectedValueProblem.Malformed, kid);
            }

            ReadOnlySpan<byte> payload = rented.AsSpan(0, payloadLength);
            plainLength = payloadLength - NonceBytes - TagBytes;
            Span<byte> plain = rented.AsSpan(maxPayload, plainLength);
            try
            {
                Open(pool, field, context, payload[..NonceBytes], payload.Slice(NonceBytes, plainLength), payload[^TagBytes..], plain);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new ProtectedValueException(field.Name, ProtectedValueProblem.Tampered, kid);
            }

            return StrictUtf8.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(maxPayload, plainLength));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <paramref name="plain"/> protected as bytes, for a value too large for text (a received batch's body, kept as a
    /// BLOB or bytea): <c>0x01 ‖ kid (ASCII) ‖ nonce ‖ ciphertext ‖ tag</c>, with the current key and the same associated
    /// data as <see cref="Protect"/>.
    /// </summary>
    public byte[] ProtectBytes(PrivacyField field, ReadOnlySpan<byte> plain, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(field);
        int header = 1 + current.Kid.Length;
        var blob = new byte[header + NonceBytes + plain.Length + TagBytes];
        blob[0] = BlobVersion;
        Encoding.ASCII.GetBytes(current.Kid, blob.AsSpan(1));
        Span<byte> nonce = blob.AsSpan(header, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        Seal(current, field, context, nonce, plain, blob.AsSpan(header + NonceBytes, plain.Length), blob.AsSpan(blob.Length - TagBytes));
        return blob;
    }

    /// <summary>The clear bytes of a <see cref="ProtectBytes"/> blob, read with the key its kid names.</summary>
    /// <exception cref="ProtectedValueException">Malformed, truncated, an unknown version or kid, or it does not authenticate.</exception>
    public byte[] UnprotectBytes(PrivacyField field, ReadOnlySpan<byte> blob, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(field);
        int header = 1 + PrivacyKeyFolder.KidLength;
        if (blob.Length < header + NonceBytes + TagBytes || blob[0] != BlobVersion)
        {
            throw new ProtectedValueException(field.Name, blob.Length > 0 && blob[0] != BlobVersion ? ProtectedValueProblem.UnsupportedVersion : ProtectedValueProblem.Malformed, null);
        }

        string kid = Encoding.ASCII.GetString(blob.Slice(1, PrivacyKeyFolder.KidLength));
        if (!pools.TryGetValue(kid, out AesPool? pool))
        {
            throw new ProtectedValueException(field.Name, ProtectedValueProblem.UnknownKey, kid.ContainsAnyExcept(KidCharacters) ? null : kid);
        }

        var plain = new byte[blob.Length - header - NonceBytes - TagBytes];
        try
        {
            Open(pool, field, context, blob.Slice(header, NonceBytes), blob.Slice(header + NonceBytes, plain.Length), blob[^TagBytes..], plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new ProtectedValueException(field.Name, ProtectedValueProblem.Tampered, kid);
        }

        return plain;
    }

    /// <summary>
    /// True when the value was written with a data key other than the current one: the re-encryption job rewrites it
    /// (<see cref="Rewrap"/>) so that the old key can be retired once none is left.
    /// </summary>
    /// <exception cref="ProtectedValueException">The value is not a protected value of a version this service reads.</exception>
    public bool NeedsRewrap(string protectedValue) =>
        !string.Equals(Parse("value", protectedValue, out _), current.Kid, StringComparison.Ordinal);

    /// <summary>
    /// True when the value was written with a data key created after the current one: another instance already switched
    /// to a newer current key during a rotation (keys-sample/privacy/README.md). A re-encryption job leaves such a value,
    /// or instances on the old and the new key would rewrite each other's values back and forth.
    /// </summary>
    /// <exception cref="ProtectedValueException">The value is not a protected value of a version this service reads.</exception>
    public bool IsUnderNewerKey(string protectedValue)
    {
        string kid = Parse("value", protectedValue, out _);
        return (ring.TryGetDataKey(kid, out PrivacyKey? key) ? key : ring.TryLoadDataKey(kid)) is { } found
            && found.Created > ring.CurrentDataKey.Created;
    }

    /// <summary>The value written again with the current key (unchanged when it already is), after checking it reads in its field and row.</summary>
    /// <exception cref="ProtectedValueException">The value does not read: it is left for someone to look at, never rewritten.</exception>
    public string Rewrap(PrivacyField field, string protectedValue, string? context = null) =>
        NeedsRewrap(protectedValue) ? Protect(field, Unprotect(field, protectedValue, context), context) : protectedValue;

    /// <summary>
    /// True when <paramref name="value"/> has the shape of a protected value (<c>v1.</c>, a kid, a payload), so a
    /// migration can tell rows already encrypted from clear ones; it does not check the tag.
    /// </summary>
    public static bool IsProtected(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out _, out _, out _);
    }

    public void Dispose()
    {
        foreach (AesPool pool in pools.Values)
        {
            pool.Dispose();
        }
    }

    private static string Parse(string field, string value, out ReadOnlySpan<char> payload)
    {
        if (!TryParse(value, out ReadOnlySpan<char> version, out ReadOnlySpan<char> kid, out payload))
        {
            throw new ProtectedValueException(field, ProtectedValueProblem.Malformed, null);
        }

        if (!version.SequenceEqual(Version))
        {
            throw new ProtectedValueException(field, ProtectedValueProblem.UnsupportedVersion, null);
        }

        return new string(kid);
    }

    private static bool TryParse(string value, out ReadOnlySpan<char> version, out ReadOnlySpan<char> kid, out ReadOnlySpan<char> payload)
    {
        ReadOnlySpan<char> rest = value;
        int first = rest.IndexOf('.');
        int second = first < 0 ? -1 : rest[(first + 1)..].IndexOf('.');
        version = kid = payload = default;
        if (second < 0)
        {
            return false;
        }

        version = rest[..first];
        kid = rest.Slice(first + 1, second);
        payload = rest[(first + 1 + second + 1)..];
        // The shortest payload is a nonce and a tag: 28 bytes, 38 base64url characters.
        return version.Length is > 0 and <= 8 && version[0] == 'v'
            && kid.Length == PrivacyKeyFolder.KidLength && !kid.ContainsAnyExcept(KidCharacters)
            && payload.Length >= Base64Url.GetEncodedLength(NonceBytes + TagBytes) && Base64Url.IsValid(payload);
    }

    private static string Format(string kid, ReadOnlySpan<byte> payload)
    {
        int header = Version.Length + 1 + kid.Length + 1;
        int length = header + Base64Url.GetEncodedLength(payload.Length);
        char[] rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            Span<char> text = rented.AsSpan(0, length);
            Version.CopyTo(text);
            text[Version.Length] = '.';
            kid.CopyTo(text[(Version.Length + 1)..]);
            text[header - 1] = '.';
            Base64Url.EncodeToChars(payload, text[header..]);
            return new string(text);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static void Seal(AesPool pool, PrivacyField field, string? context, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> cipher, Span<byte> tag)
    {
        int aadLength = AadLength(pool.Kid, field, context);
        byte[]? rented = aadLength > StackLimit ? ArrayPool<byte>.Shared.Rent(aadLength) : null;
        Span<byte> aad = rented is null ? stackalloc byte[StackLimit] : rented;
        aad = aad[..WriteAad(aad, pool.Kid, field, context)];
        AesGcm aes = pool.Rent();
        try
        {
            aes.Encrypt(nonce, plain, cipher, tag, aad);
        }
        finally
        {
            pool.Return(aes);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Open(AesPool pool, PrivacyField field, string? context, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> cipher, ReadOnlySpan<byte> tag, Span<byte> plain)
    {
        int aadLength = AadLength(pool.Kid, field, context);
        byte[]? rented = aadLength > StackLimit ? ArrayPool<byte>.Shared.Rent(aadLength) : null;
        Span<byte> aad = rented is null ? stackalloc byte[StackLimit] : rented;
        aad = aad[..WriteAad(aad, pool.Kid, field, context)];
        AesGcm aes = pool.Rent();
        try
        {
            aes.Decrypt(nonce, cipher, tag, plain, aad);
        }
        finally
        {
            pool.Return(aes);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int AadLength(string kid, PrivacyField field, string? context) =>
        AadLabel.Length + (3 * sizeof(int)) + kid.Length + field.Name.Length + StrictUtf8.GetByteCount(context ?? "");

    /// <summary>label ‖ len(kid) kid ‖ len(field) field ‖ len(context) context, lengths as 32-bit big-endian.</summary>
    private static int WriteAad(Span<byte> aad, string kid, PrivacyField field, string? context)
    {
        AadLabel.CopyTo(aad);
        int at = AadLabel.Length;
        at += WritePart(aad[at..], kid);
        at += WritePart(aad[at..], field.Name);
        at += WritePart(aad[at..], context ?? "");
        return at;
    }

    private static int WritePart(Span<byte> into, string part)
    {
        int written = StrictUtf8.GetBytes(part, into[sizeof(int)..]);
        BinaryPrimitives.WriteInt32BigEndian(into, written);
        return sizeof(int) + written;
    }

    /// <summary>
    /// AesGcm instances of one key. An instance is not safe for concurrent use on Linux (dotnet/runtime#53320), and making
    /// one per value costs a key schedule, so each call takes one from here and gives it back.
    /// </summary>
    private sealed class AesPool(PrivacyKey key) : IDisposable
    {
        private readonly ConcurrentBag<AesGcm> idle = [];

        public string Kid { get; } = key.Kid;

        public AesGcm Rent() => idle.TryTake(out AesGcm? aes) ? aes : new AesGcm(key.Secret, TagBytes);

        public void Return(AesGcm aes)
        {
            // Bounded by the calls in flight at once; beyond a few per core an idle instance is only memory.
            if (idle.Count < 4 * Environment.ProcessorCount)
            {
                idle.Add(aes);
            }
            else
            {
                aes.Dispose();
            }
        }

        public void Dispose()
        {
            while (idle.TryTake(out AesGcm? aes))
            {
                aes.Dispose();
            }
        }
    }
}
