using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>What a checkpoint did: one scan or ID-card lookup. No name or ID number: the code id is pseudonymous.</summary>
internal sealed record AuditEvent(
    DateTimeOffset At,
    string CheckpointId,
    string StaffId,
    string Action,
    string? Issuer,
    string? CodeId,
    string Outcome);

/// <summary>An event as stored: numbered and chained to the one before it.</summary>
internal sealed record AuditEntry(long Seq, AuditEvent Event, string PrevHash, string Hash);

/// <summary>The outcome of checking the chain from the anchor to the last entry.</summary>
internal sealed record AuditChainReport(bool Valid, long Checked, long? FirstSeq, long? LastSeq, long? BrokenAtSeq, string? Problem);

/// <summary>
/// The audit log's hash chain: each entry's hash covers its sequence number, its fields and the
/// previous entry's hash, so changing or deleting any entry breaks every hash after it. A purge
/// keeps the last purged entry's (seq, hash) as the anchor the remaining chain starts from.
/// </summary>
internal static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string Hash(long seq, AuditEvent e, string prevHash)
    {
        // Fields are length-prefixed, so no choice of values can make two entries hash alike.
        var text = new StringBuilder();
        foreach (var field in new[]
        {
            seq.ToString(CultureInfo.InvariantCulture), e.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            e.CheckpointId, e.StaffId, e.Action, e.Issuer ?? "", e.CodeId ?? "", e.Outcome, prevHash,
        })
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('|');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Checks entries in sequence order against the anchor they must continue from.</summary>
    public static AuditChainReport Verify(IEnumerable<AuditEntry> entries, (long Seq, string Hash) anchor)
    {
        var expectedSeq = anchor.Seq + 1;
        var previous = anchor.Hash;
        long checkedCount = 0;
        long? first = null;
        long? last = null;
        foreach (var entry in entries)
        {
            first ??= entry.Seq;
            last = entry.Seq;
            if (entry.Seq != expectedSeq)
            {
                return new AuditChainReport(false, checkedCount, first, last, expectedSeq, $"entry {expectedSeq} is missing");
            }

            if (entry.PrevHash != previous || Hash(entry.Seq, entry.Event, previous) != entry.Hash)
            {
                return new AuditChainReport(false, checkedCount, first, last, entry.Seq, $"entry {entry.Seq} was changed");
            }

            previous = entry.Hash;
            expectedSeq++;
            checkedCount++;
        }

        return new AuditChainReport(true, checkedCount, first, last, null, null);
    }
}
