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
    /// scoring's data uses with them; then tells the scan index of each colour change. A batch's re-scorings commit
    /// <see cref="CommitSync.Deferred"/>, a group at a time: the batch's synced <c>applied</c> makes them durable, and a
    /// restart does them again while it is <c>rescoring</c>. One synced commit per person, with its data uses, cost
    /// a batch 2.4 to 10 times its re-scoring without them (docs/PERFORMANCE.md, "Data-use log and re-scoring").
    /// </summary>
    public async Task RescoreAsync(IReadOnlyList<string> personIds, CommitSync sync, CancellationToken cancellationToken)
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
