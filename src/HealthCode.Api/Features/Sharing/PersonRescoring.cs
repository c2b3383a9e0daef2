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
    /// True when the person's code changed. <paramref name="sync"/>: <see cref="CommitSync.Full"/> when the new code is
    /// answered to someone (an approved override); <see cref="CommitSync.Deferred"/> for a batch's re-scorings, which
    /// the batch's synced <c>applied</c> makes durable and which a restart does again while it is <c>rescoring</c>
    /// (every person's commit carries its data uses, and syncing each cost the batch ten times the re-scoring without
    /// them: docs/PERFORMANCE.md, "Data-use log and re-scoring").
    /// </summary>
    public async Task<bool> RescoreAsync(string personId, CommitSync sync, CancellationToken cancellationToken)
    {
        if (await store.GetLatestDeclarationAsync(personId, cancellationToken) is not { } latest
            || await store.FindCodeAsync(personId, cancellationToken) is not { } before
            || JsonSerializer.Deserialize<Declaration>(latest.PayloadJson, StrictJson.Options) is not { } declaration)
        {
            return false;
        }

        var past = await store.GetDeclarationHistoryAsync(personId, cancellationToken);
        var history = new ResidentHistory([.. past.Select(p => new PastDeclaration(p.Date, p.RawColor, p.NegativeTest))]);
        var scoringFacts = await facts.ScoringFactsAsync(personId, cancellationToken);
        var assessment = scorer.Score(declaration, latest.Day, history, scoringFacts, time.Today());
        var after = await store.UpdateCodeAsync(
            personId, assessment.Color, JsonSerializer.Serialize(assessment.Reasons, StrictJson.Options), assessment.GreenAfter, time.GetUtcNow(),
            ScoringUses.Of(personId, scoringFacts.Person), sync, cancellationToken);
        if (after is null || after.StatusVersion == before.StatusVersion)
        {
            return after is not null && after.UpdatedAt != before.UpdatedAt;
        }

        await statusFeed.PublishAsync(after.CodeId, after.StatusVersion);
        return true;
    }
}
