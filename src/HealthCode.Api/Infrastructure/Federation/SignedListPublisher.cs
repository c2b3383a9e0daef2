using System.Security.Cryptography;
using System.Text;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>What a signed list needs to be published: its content, how to sign it, how to read one back.</summary>
internal interface ISignedListSource
{
    /// <summary>The store key: <c>trust-list</c> or <c>federation</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Reads again what the content comes from when another instance may have changed it (the shared keys folder),
    /// before the content is compared with the list held in the store.
    /// </summary>
    void Refresh();

    /// <summary>A hash of what the list says (keys or members and their status), not of when it was signed.</summary>
    string ContentHash(DateTimeOffset now);

    /// <summary>Signs the current content with this sequence number.</summary>
    string Sign(long seq, DateTimeOffset now);

    /// <summary>Verifies a stored list with our own key; null when it is no longer usable.</summary>
    (long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)? Read(string jws, DateTimeOffset now);
}

/// <summary>
/// Publishes a list this instance signs: a new one, with <c>seq</c> one higher, whenever its
/// content changed or less than <c>resignBefore</c> of its life is left; otherwise the held one.
/// The store's compare-and-swap on <c>seq</c> keeps two instances from publishing the same seq.
/// </summary>
internal static class SignedListPublisher
{
    public static async Task<PublishedList?> EnsureAsync(
        ISignedListSource source, ISignedListStore store, TimeSpan resignBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var held = await store.GetAsync(source.Kind, cancellationToken);
            // After the held list is read: an instance that changed the content wrote it before it stored its list, so a
            // newer list is never signed over with content this instance has not read yet (a revocation undone).
            source.Refresh();
            var contentHash = source.ContentHash(now);
            if (held is not null && source.Read(held.Jws, now) is { } read && held.ContentHash == contentHash && read.ExpiresAt - now > resignBefore)
            {
                return Publish(held.Jws, read);
            }

            var seq = (held?.Seq ?? 0) + 1;
            var jws = source.Sign(seq, now);
            if (await store.TryReplaceAsync(source.Kind, held?.Seq, new SignedListRecord(seq, contentHash, jws), cancellationToken)
                && source.Read(jws, now) is { } signed)
            {
                return Publish(jws, signed);
            }

            // Another instance signed at the same moment: take theirs on the next pass.
        }

        return null;
    }

    public static PublishedList Publish(string jws, (long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt) read) =>
        new(jws, $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(jws)))[..32]}\"", read.Seq, read.IssuedAt, read.ExpiresAt);

    public static string Hash(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))));
}
