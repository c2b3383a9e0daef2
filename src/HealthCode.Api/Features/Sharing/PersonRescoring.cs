using System.Diagnostics;
using System.Text.Json;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Scores a person again when their facts changed (DESIGN §9 re-scoring): their latest declaration, their history and
/// the facts as they are now, as of today. A colour change raises the code's status version, and the feed carries it
/// to every instance's scan index at once, so the code on screen and partners' online checks follow within seconds.
/// A person who never declared has no code and is left alone: their facts wait for their first declaration.
/// </summary>
internal sealed class PersonRescoring(IHealthCodeStore store, IFactStore facts, RiskScorer scorer, ICodeStatusFeed statusFeed, TimeProvider time)
{
    /// <summary>
    /// Re-scores one person (an approved or lapsed override) and stores the code at once, synced: it is answered.
    /// </summary>
    public Task RescoreAsync(string personId, CancellationToken cancellationToken) =>
        RescoreAsync([personId], CommitSync.Full, cancellationToken);

    /// <summary>
    /// Re-scores persons and stores their codes in one commit (<see cref="IHealthCodeStore.UpdateCodesAsync"/>), the
    /// scoring's data uses with them; then tells the scan index of each colour change.
    /// </summary>
    public async Task RescoreAsync(IReadOnlyList<string> personIds, CommitSync sync, CancellationToken cancellationToken) =>
        await StoreAsync(await ScoreAsync(personIds, cancellationToken), sync, cancellationToken);

    /// <summary>How many groups' commits may be waiting to be written while the next group is scored.</summary>
    public const int WritesAhead = 8;

    /// <summary>
    /// Re-scores many persons as a batch does, <paramref name="groupSize"/> at a time: each group's codes and data uses
    /// in one commit, <see cref="CommitSync.Deferred"/> for a batch (its synced <c>applied</c> makes them durable, and a
    /// restart does them again while it is <c>rescoring</c>). The commits are written on another thread while the next
    /// groups are scored, up to <paramref name="writesAhead"/> groups behind the scoring, so the writes (the codes, and
    /// the data-use log's chain rows with their indexes) take the time of the reads and the scoring beside them, and a
    /// slow commit (one that checkpoints SQLite's log) does not stop the scoring either: the scoring waits for the log
    /// only when that many commits are still unwritten (docs/PERFORMANCE.md, "Data-use log and re-scoring"). The groups
    /// are distinct persons, and each commit waits for the one before it, so the codes and the chain are written in
    /// order, and a commit that failed fails every one after it. <paramref name="committed"/> hears of each group once
    /// its commit is done; <paramref name="pace"/>, when given, runs after each group is scored (a batch gives the
    /// processor to scans there, <see cref="BatchPacing"/>). Answers how long the scoring waited for commits.
    /// </summary>
    public async Task<TimeSpan> RescoreAllAsync(
        IReadOnlyList<string> personIds, int groupSize, CommitSync sync, Action<int> committed, CancellationToken cancellationToken,
        Func<CancellationToken, ValueTask>? pace = null, int writesAhead = WritesAhead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writesAhead, 1);
        var writing = Task.CompletedTask;
        var unwritten = new Queue<Task>(writesAhead);
        var waited = TimeSpan.Zero;
        try
        {
            foreach (var group in personIds.Chunk(groupSize))
            {
                var scored = await ScoreAsync(group, cancellationToken);
                if (pace is not null)
                {
                    await pace(cancellationToken);
                }

                var waiting = Stopwatch.GetTimestamp();
                while (unwritten.Count >= writesAhead)
                {
                    await unwritten.Dequeue();
                }

                waited += Stopwatch.GetElapsedTime(waiting);
                var before = writing;
                writing = Task.Run(
                    async () =>
                    {
                        await before;
                        await StoreAsync(scored, sync, cancellationToken);
                        committed(group.Length);
                    },
                    cancellationToken);
                unwritten.Enqueue(writing);
            }

            var last = Stopwatch.GetTimestamp();
            await writing;
            return waited + Stopwatch.GetElapsedTime(last);
        }
        finally
        {
            // A scoring that failed lets the commits before it finish rather than leave them running unobserved.
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<List<(CodeUpdate Update, CodeRecord Before)>> ScoreAsync(IReadOnlyList<string> personIds, CancellationToken cancellationToken)
    {
        var scored = new List<(CodeUpdate Update, CodeRecord Before)>(personIds.Count);
        var areas = (await facts.ScoringFactsAsync(null, cancellationToken)).Areas;
        foreach (var personId in personIds)
        {
            if (await ScoreAsync(personId, areas, cancellationToken) is { } one)
            {
                scored.Add(one);
            }
        }

        return scored;
    }

    private async Task StoreAsync(List<(CodeUpdate Update, CodeRecord Before)> scored, CommitSync sync, CancellationToken cancellationToken)
    {
        if (scored.Count == 0)
        {
            return;
        }

        var after = await store.UpdateCodesAsync([.. scored.Select(s => s.Update)], sync, cancellationToken);
        for (var i = 0; i < scored.Count; i++)
        {
            if (after[i] is { } code && code.StatusVersion != scored[i].Before.StatusVersion)
            {
                await statusFeed.PublishAsync(code.CodeId, code.StatusVersion);
            }
        }
    }

    /// <summary>The person's new code, from their latest declaration, history and facts as of today; null without a code.</summary>
    private async Task<(CodeUpdate Update, CodeRecord Before)?> ScoreAsync(string personId, IReadOnlyList<SharedRiskArea> areas, CancellationToken cancellationToken)
    {
        if (await store.GetLatestDeclarationAsync(personId, cancellationToken) is not { } latest
            || await store.FindCodeAsync(personId, cancellationToken) is not { } before
            || JsonSerializer.Deserialize<Declaration>(latest.PayloadJson, StrictJson.Options) is not { } declaration)
        {
            return null;
        }

        var past = await store.GetDeclarationHistoryAsync(personId, cancellationToken);
        var history = new ResidentHistory([.. past.Select(p => new PastDeclaration(p.Date, p.RawColor, p.NegativeTest))]);
        var scoringFacts = await facts.ScoringFactsAsync(personId, cancellationToken, areas);
        var assessment = scorer.Score(declaration, latest.Day, history, scoringFacts, time.Today());
        var update = new CodeUpdate(
            personId, assessment.Color, JsonSerializer.Serialize(assessment.Reasons, StrictJson.Options), assessment.GreenAfter, time.GetUtcNow(),
            ScoringUses.Of(personId, scoringFacts.Person), before.UpdatedAt);
        return (update, before);
    }
}
