using System.Buffers.Text;
using HealthCode.Trust.Jose;

namespace HealthCode.Trust.Sharing;

/// <summary>
/// What a department signs for one batch of shared data (DESIGN §9, docs/BATCH-FORMAT.md §2): the catalogue entry it is
/// for, the batch's id, the SHA-256 of the body exactly as sent and its row count, and when it was produced. The service
/// refuses a body whose hash or row count differs, so the signature covers every byte the department answers for.
/// </summary>
/// <param name="Source">The catalogue entry's code, e.g. <c>410000-CDC-002</c> (<c>source</c>): 1–64 characters of [A-Za-z0-9._-].</param>
/// <param name="BatchId">The batch's id, unique for its source; the same id twice applies once (<c>batchId</c>): 1–64 characters of [A-Za-z0-9._-].</param>
/// <param name="Sha256">Base64url (RFC 4648 §5, no padding: 43 characters) of the SHA-256 of the body's bytes (<c>sha256</c>).</param>
/// <param name="Rows">The body's data rows: CSV records after the header, or NDJSON lines, blank lines not counted (<c>rows</c>).</param>
/// <param name="ProducedAt">When the department produced the batch, whole seconds (<c>producedAt</c>, a NumericDate).</param>
public sealed record BatchManifest(string Source, string BatchId, string Sha256, long Rows, DateTimeOffset ProducedAt)
{
    /// <summary>The longest <see cref="Source"/> or <see cref="BatchId"/>.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The length of <see cref="Sha256"/>: 32 bytes in base64url without padding.</summary>
    public const int Sha256Length = 43;

    private const int DigestSize = 32;

    /// <summary>True for a <see cref="Source"/> or <see cref="BatchId"/>: 1–64 ASCII letters, digits, '.', '_' or '-'.
    /// Both appear in URL paths (<c>/api/v1/sources/{code}/batches/{batchId}</c>), so nothing there needs escaping.</summary>
    /// <param name="id">The text to check; null is not an id.</param>
    /// <returns>Whether it is a well-formed id.</returns>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>True for the one canonical base64url spelling (43 characters, the unused bits zero) of a 32-byte digest.</summary>
    /// <param name="sha256">The text to check; null is not a digest.</param>
    /// <returns>Whether it is a well-formed <see cref="Sha256"/>.</returns>
    public static bool IsValidSha256(string? sha256) =>
        sha256 is { Length: Sha256Length }
        && Es256Jws.TryDecode(sha256, out byte[] digest)
        && digest.Length == DigestSize
        && Base64Url.EncodeToString(digest) == sha256;

    /// <summary>The <see cref="Sha256"/> text of a digest.</summary>
    /// <param name="digest">The 32 bytes of a SHA-256.</param>
    /// <returns>Its base64url, without padding.</returns>
    /// <exception cref="ArgumentException">The digest is not 32 bytes.</exception>
    public static string Sha256Text(ReadOnlySpan<byte> digest) => digest.Length == DigestSize
        ? Base64Url.EncodeToString(digest)
        : throw new ArgumentException($"A SHA-256 digest is {DigestSize} bytes, not {digest.Length}.", nameof(digest));
}
