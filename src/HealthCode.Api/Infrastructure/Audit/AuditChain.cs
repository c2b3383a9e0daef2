namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// What a checkpoint did (one scan or ID-card lookup), or what an operator did (DESIGN §10 "Named operators"). No
/// resident's name or ID number: the code id is pseudonymous.
/// </summary>
internal sealed record AuditEvent(
    DateTimeOffset At,
    string CheckpointId,
    string StaffId,
    string Action,
    string? Issuer,
    string? CodeId,
    string Outcome)
{
    /// <summary>The named operator who acted (an operator action); null for scans and lookups, and for entries from before it existed.</summary>
    public AuditActor? Actor { get; init; }

    /// <summary>What an operator action acted on (a staff id, a partner's code, a key id), when it names one.</summary>
    public string? Target { get; init; }

    /// <summary>
    /// The <c>scanId</c> its answer carried, given before the entry has a place in the chain: on PostgreSQL an entry is
    /// answered once it is in the instance's spool (<see cref="Store.Postgres.AuditSpool"/>), so it is named by the
    /// instance and its spool seq. Null on SQLite, where the answer names the entry's seq.
    /// </summary>
    public string? ScanId { get; init; }
}

/// <summary>An operator as the audit names them: the account's id and its name at the time (<c>bootstrap</c> for the configured key).</summary>
internal sealed record AuditActor(string OperatorId, string Name);

/// <summary>An event as stored: numbered and chained to the one before it.</summary>
internal sealed record AuditEntry(long Seq, AuditEvent Event, string PrevHash, string Hash);

/// <summary>
/// The end of the chain: the last entry's sequence number and hash (<see cref="AuditChain.Genesis"/> at 0 before the
/// first entry). The store keeps it beside the entries, updated in the same transaction, and a witness
/// (<see cref="IAuditHeadWitness"/>) keeps a copy out of the entries' reach.
/// </summary>
internal sealed record AuditHead(long Seq, string Hash);

/// <summary>
/// The outcome of checking the chain from the anchor to the last entry and against the head: <paramref name="HeadSeq"/> is
/// the store's head, <paramref name="WitnessSeq"/> the witness's (which may lag the head by the commits of a crash).
/// </summary>
internal sealed record AuditChainReport(
    bool Valid, long Checked, long? FirstSeq, long? LastSeq, long? BrokenAtSeq, string? Problem, long? HeadSeq = null, long? WitnessSeq = null)
{
    /// <summary>Entries this instance answered that wait in its spool, not yet in the chain (PostgreSQL); null on SQLite.</summary>
    public long? Spooled { get; init; }
}

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
        var hash = new ChainHash()
            .Add(seq).Add(e.At.ToUnixTimeMilliseconds())
            .Add(e.CheckpointId).Add(e.StaffId).Add(e.Action).Add(e.Issuer ?? "").Add(e.CodeId ?? "").Add(e.Outcome).Add(prevHash);

        // The fields added later are hashed only when present, each after a tag of its own, so an entry without them
        // hashes as it always did (the chains written before them still verify) and no entry with them hashes like one
        // without, or like one with other fields.
        if (e.Actor is { } actor)
        {
            hash.Add("actor").Add(actor.OperatorId).Add(actor.Name);
        }

        if (e.Target is { } target)
        {
            hash.Add("target").Add(target);
        }

        if (e.ScanId is { } scanId)
        {
            hash.Add("scan").Add(scanId);
        }

        return hash.Hex();
    }

    /// <summary>
    /// Checks entries in sequence order against the anchor they must continue from, then their end against the
    /// store's head and the witness: entries removed from the end leave the rows ending before the head. The witness
    /// is written after each commit, so it may lag the rows (a crash between the two) but never lead them.
    /// </summary>
    public static AuditChainReport Verify(IEnumerable<AuditEntry> entries, AuditHead anchor, AuditHead? head, AuditHead? witness)
    {
        var expectedSeq = anchor.Seq + 1;
        var previous = anchor.Hash;
        // The hash the rows hold at the witness's seq, when the witness points into them (or at the anchor).
        var atWitness = witness?.Seq == anchor.Seq ? anchor.Hash : null;
        long checkedCount = 0;
        long? first = null;
        long? last = null;
        AuditChainReport Broken(long at, string problem) =>
            new(false, checkedCount, first, last, at, problem, head?.Seq, witness?.Seq);

        foreach (var entry in entries)
        {
            first ??= entry.Seq;
            last = entry.Seq;
            if (entry.Seq != expectedSeq)
            {
                return Broken(expectedSeq, $"entry {expectedSeq} is missing");
            }

            if (entry.PrevHash != previous || Hash(entry.Seq, entry.Event, previous) != entry.Hash)
            {
                return Broken(entry.Seq, $"entry {entry.Seq} was changed");
            }

            previous = entry.Hash;
            if (entry.Seq == witness?.Seq)
            {
                atWitness = entry.Hash;
            }

            expectedSeq++;
            checkedCount++;
        }

        var end = expectedSeq - 1;
        if (head is null)
        {
            return Broken(end + 1, "the chain's head is missing from the store");
        }

        if (head.Seq > end)
        {
            return Broken(end + 1, $"entries {end + 1} to {head.Seq} are missing from the end (the head is at {head.Seq})");
        }

        if (head.Seq < end || head.Hash != previous)
        {
            return Broken(Math.Min(head.Seq + 1, end), $"the entries end at {end}, which does not match the head at {head.Seq}");
        }

        if (witness is null)
        {
            return Broken(end + 1, "the chain's witness is missing");
        }

        // A witness before the anchor points at purged entries: nothing left to compare it with (atWitness is null).
        return ChainWitness.Check(end, atWitness, witness) is { } broken
            ? Broken(broken.At, broken.Problem)
            : new AuditChainReport(true, checkedCount, first, last, null, null, head.Seq, witness.Seq);
    }
}

/// <summary>
/// The end of a hash chain against its witness, a head kept out of the store's reach (the scan audit's
/// <see cref="IAuditHeadWitness"/>, the data-use log's witness): the rows must reach the witness's seq, and hold there
/// the hash it kept.
/// </summary>
internal static class ChainWitness
{
    /// <summary>
    /// Where rows ending at <paramref name="end"/>, holding <paramref name="atWitness"/> at the witness's seq (null when
    /// they hold nothing there to compare), break against <paramref name="witness"/>; null when they do not.
    /// </summary>
    public static (long At, string Problem)? Check(long end, string? atWitness, AuditHead witness) =>
        witness.Seq > end ? (end + 1, $"entries {end + 1} to {witness.Seq} are missing from the end (the witness is at {witness.Seq})")
        : atWitness is not null && atWitness != witness.Hash ? (witness.Seq, $"entry {witness.Seq} does not match the witness")
        : null;
}
