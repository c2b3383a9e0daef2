using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Person ids (DESIGN §8): 12 bytes in lowercase hex, as migration 4 made them; since issue 10 the first 6 are the
/// person's creation time in Unix milliseconds (big-endian) and the other 6 random. Why the time first: every table
/// keyed by person id (persons' key, each fact table, a batch's persons) is a B-tree, and a random key puts each new
/// person on a random page of it. A batch of a million persons the service did not know then dirties a page of each
/// of those trees per row once the trees outgrow the page cache, and each chunk's commit writes every dirtied page to
/// the WAL and, at the checkpoint, back to the file. Ids that grow with time land on the right-hand edge of those
/// trees: a few pages per chunk (docs/PERFORMANCE.md, "Batches from the departments"). An id is no secret on its own: every endpoint that takes one looks it up
/// among the persons the caller's account holds; the random half keeps the ids of one millisecond apart.
/// </summary>
internal static class PersonIds
{
    public static string New(long createdAtUnixMilliseconds)
    {
        Span<byte> bytes = stackalloc byte[14];
        BinaryPrimitives.WriteInt64BigEndian(bytes, createdAtUnixMilliseconds);
        RandomNumberGenerator.Fill(bytes[8..]);
        return Convert.ToHexStringLower(bytes[2..]);
    }
}
