namespace HealthCode.Api.Features.DataUseLog;

/// <summary>Why a person's data was used (DESIGN §10 "Data-use log"): the closed set a resident reads on their page.</summary>
internal static class DataUsePurposes
{
    /// <summary>The person's facts scored their code (a declaration, or a batch that changed their facts).</summary>
    public const string Scoring = "scoring";

    /// <summary>The population register checked who they are (DESIGN §8).</summary>
    public const string Identity = "identity";

    /// <summary>Their declaration form was filled in from what the service holds.</summary>
    public const string Prefill = "prefill";

    /// <summary>Checkpoint staff looked their code up by ID card.</summary>
    public const string Lookup = "lookup";

    /// <summary>A grassroots office viewed them in its follow-up list.</summary>
    public const string OfficeView = "office_view";

    /// <summary>A dispute of one of their facts was filed or handled.</summary>
    public const string Dispute = "dispute";

    public static readonly IReadOnlyList<string> All = [Scoring, Identity, Prefill, Lookup, OfficeView, Dispute];
}

/// <summary>
/// One use of a person's data. <c>Source</c> and <c>BatchId</c> name the catalogue entry and batch whose facts were used
/// (null for a use of the code alone, such as an ID-card lookup of a code with no shared facts); <c>Actor</c> says who
/// used it, in words a resident can read: <c>system</c> (scoring), <c>resident</c>, a checkpoint and staff id, an
/// operator's name.
/// </summary>
internal sealed record DataUse(string PersonId, string Purpose, string Actor, string? Source, string? BatchId);

/// <summary>A use as stored: numbered, timed and chained to the one before it.</summary>
internal sealed record DataUseEntry(long Seq, DateTimeOffset At, DataUse Use, string PrevHash, string Hash);

/// <summary>
/// The data-use log's hash chain, as the scan audit's (<see cref="Infrastructure.Audit.AuditChain"/>): each entry's hash
/// covers its sequence number, time, fields and the previous entry's hash, length-prefixed so that no choice of values
/// makes two entries hash alike; changing or deleting an entry breaks every hash after it, and the head kept in the same
/// transaction as each append shows entries removed from the end.
/// </summary>
internal static class DataUseChain
{
    public const string Genesis = Infrastructure.Audit.AuditChain.Genesis;

    public static string Hash(long seq, DateTimeOffset at, DataUse use, string prevHash) =>
        new Infrastructure.Audit.ChainHash()
            .Add(seq).Add(at.ToUnixTimeMilliseconds())
            .Add(use.PersonId).Add(use.Purpose).Add(use.Actor).Add(use.Source ?? "").Add(use.BatchId ?? "").Add(prevHash)
            .Hex();

    /// <summary>
    /// Checks entries in sequence order from the genesis and against the stored head, reading them as they come (the log
    /// is not held in memory), then against the witness (<see cref="DataUseWitness"/>) when one is kept: the rows must
    /// reach its seq and hold its hash there. <paramref name="witnessed"/> is what the witness holds, null when it is
    /// missing; <paramref name="witnessKept"/> says whether one should be there.
    /// </summary>
    public static async Task<DataUseChainReport> VerifyAsync(
        IAsyncEnumerable<DataUseEntry> entries, (long Seq, string Hash) head, bool witnessKept, Infrastructure.Audit.AuditHead? witnessed, CancellationToken cancellationToken)
    {
        var expected = 1L;
        var previous = Genesis;
        long count = 0;
        // The hash the rows hold at the witness's seq (the genesis for a witness of the empty log).
        var atWitness = witnessed?.Seq == 0 ? Genesis : null;
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            if (entry.Seq != expected)
            {
                return new DataUseChainReport(false, count, head.Seq, expected, $"entry {expected} is missing");
            }

            if (entry.PrevHash != previous || Hash(entry.Seq, entry.At, entry.Use, previous) != entry.Hash)
            {
                return new DataUseChainReport(false, count, head.Seq, entry.Seq, $"entry {entry.Seq} was changed");
            }

            if (entry.Seq == witnessed?.Seq)
            {
                atWitness = entry.Hash;
            }

            previous = entry.Hash;
            expected++;
            count++;
        }

        var witnessSeq = witnessed?.Seq;
        // The head is written with every append: rows ending before it were removed from the end.
        if (count != head.Seq || previous != head.Hash)
        {
            return new DataUseChainReport(false, count, head.Seq, count + 1, $"the log ends at {count} but its head is at {head.Seq}: entries were removed from its end", witnessSeq);
        }

        // The witness is out of the store's reach: a head row rewritten to match rows deleted from the end still ends before it.
        if (witnessKept && witnessed is null)
        {
            return new DataUseChainReport(false, count, head.Seq, count + 1, "the log's witness is missing");
        }

        return witnessed is not null && Infrastructure.Audit.ChainWitness.Check(count, atWitness, witnessed) is { } broken
            ? new DataUseChainReport(false, count, head.Seq, broken.At, broken.Problem, witnessSeq)
            : new DataUseChainReport(true, count, head.Seq, null, null, witnessSeq);
    }
}

/// <summary>
/// The outcome of checking the data-use chain; <paramref name="WitnessSeq"/> is the witness's seq (it may lag the head
/// by up to a second, never lead it), null without a witness.
/// </summary>
internal sealed record DataUseChainReport(bool Valid, long Checked, long HeadSeq, long? BrokenAtSeq, string? Problem, long? WitnessSeq = null);

/// <summary>The uses a scoring makes of a person's facts: one per source and batch whose facts it read.</summary>
internal static class ScoringUses
{
    public const string System = "system";

    public static IReadOnlyList<DataUse> Of(string personId, Declarations.PersonFacts facts)
    {
        IEnumerable<Declarations.FactSource?> sources =
        [
            facts.Case?.Source,
            .. facts.CloseContacts.Select(c => c.Source),
            .. facts.Tests.Select(t => t.Source),
            .. facts.Travel.Select(t => t.Source),
            .. facts.CoTravel.Select(t => t.Source),
        ];
        return [.. sources.OfType<Declarations.FactSource>().DistinctBy(s => (s.Code, s.BatchId))
            .Select(s => new DataUse(personId, DataUsePurposes.Scoring, System, s.Code, s.BatchId))];
    }
}
