using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Retention;

/// <summary><c>POST /api/v1/admin/retention/purge</c>: removes the personal data past its retention (<see cref="RetentionModule"/>).</summary>
internal sealed record PurgeExpiredData : ICommand<Result<ExpiredDataPurged>>;

/// <summary>What one purge removed, by kind, and how many persons were scored again without the facts removed.</summary>
internal sealed record ExpiredDataPurged(
    DateTimeOffset Cutoff, int Declarations, int Sessions, int PersonMoves, int Tests, int Travel, int CloseContacts, int Rescored);

internal sealed partial class PurgeExpiredDataHandler(
    IRetentionStore store, PersonRescoring rescoring, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<PurgeExpiredDataHandler> logger)
    : ICommandHandler<PurgeExpiredData, Result<ExpiredDataPurged>>
{
    /// <summary>Persons re-scored in one commit, as a batch's re-scoring groups them.</summary>
    private const int RescoreGroup = 32;

    public async ValueTask<Result<ExpiredDataPurged>> Handle(PurgeExpiredData command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var retentionDays = options.Value.Privacy.RetentionDays;
        var cutoff = now.AddDays(-retentionDays);
        var resident = await store.PurgeResidentDataAsync(cutoff, cancellationToken);
        var facts = await store.PurgeFactsAsync(now, retentionDays, cancellationToken);

        // A removed fact no longer counts: whoever it was about is scored again on what remains, as after a retraction.
        // Most removed facts no longer changed a colour (a test or a journey a month old); a department's shorter
        // retention may remove one that still did, and then the colour follows at once rather than at the next batch.
        await rescoring.RescoreAllAsync(facts.Persons, RescoreGroup, CommitSync.Full, _ => { }, cancellationToken);
        var purged = new ExpiredDataPurged(
            cutoff, resident.Declarations, resident.Sessions, resident.PersonMoves, facts.Tests, facts.Travel, facts.CloseContacts, facts.Persons.Count);
        if (purged is not { Declarations: 0, Sessions: 0, PersonMoves: 0, Tests: 0, Travel: 0, CloseContacts: 0 })
        {
            LogPurged(purged.Declarations, purged.Sessions, purged.PersonMoves, purged.Tests, purged.Travel, purged.CloseContacts, purged.Rescored, cutoff);
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention purge: {Declarations} declarations, {Sessions} sessions, {PersonMoves} person moves, {Tests} tests, {Travel} journeys, {CloseContacts} close-contact notices removed; {Rescored} persons re-scored (cutoff {Cutoff:O})")]
    private partial void LogPurged(int declarations, int sessions, int personMoves, int tests, int travel, int closeContacts, int rescored, DateTimeOffset cutoff);
}

internal static class PurgeExpiredDataEndpoint
{
    public static RouteHandlerBuilder MapPurgeExpiredData(this RouteGroupBuilder group) => group
        .MapPost("/retention/purge", (IMediator mediator, CancellationToken ct) =>
            mediator.Send(new PurgeExpiredData(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("PurgeExpiredData")
        .WithSummary("Purge personal data past its retention")
        .WithDescription("Also runs every hour. Removes declarations, sessions expired and the record of persons moved between phones older than HealthCode:Privacy:RetentionDays (default 28), and the departments' tests, journeys and close-contact notices older than that or than their catalogue entry's retentionDays, whichever is sooner (a close-contact notice counts from its until date); persons whose facts were removed are scored again. Kept: persons and codes, case status and the population register, disputes, overrides, the data-use log; the scan audit has its own retention (POST /admin/audit/purge). Answers the cutoff and how many of each were removed.");
}
