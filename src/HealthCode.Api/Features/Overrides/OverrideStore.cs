using System.Globalization;
using Dapper;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Disputes;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Overrides;

/// <summary>The states of an override (DESIGN §10 "Overrides").</summary>
internal static class OverrideStates
{
    /// <summary>Proposed by one health operator; nothing changes until another approves.</summary>
    public const string Proposed = "proposed";

    /// <summary>Approved: the person's colour is the override's through its until date.</summary>
    public const string Active = "active";

    /// <summary>Another health operator turned the proposal down.</summary>
    public const string Rejected = "rejected";

    /// <summary>The proposer took the proposal back.</summary>
    public const string Withdrawn = "withdrawn";

    /// <summary>A later override of the same person was approved while this one was active.</summary>
    public const string Superseded = "superseded";

    /// <summary>Its until date has passed: the scored colour is back.</summary>
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Proposed, Active, Rejected, Withdrawn, Superseded, Expired];
}

/// <summary>An override as stored, with the person it is for.</summary>
internal sealed record OverrideRecord(
    string Id,
    string PersonId,
    string FullName,
    string IdNumber,
    CodeColor Color,
    string Reason,
    string Rule,
    DateOnly Until,
    string? DisputeId,
    string State,
    AuditActor ProposedBy,
    DateTimeOffset ProposedAt,
    AuditActor? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Note);

/// <summary>A proposal as the handler checked it.</summary>
internal sealed record NewOverride(string PersonId, CodeColor Color, string Reason, string Rule, DateOnly Until, string? DisputeId, AuditActor ProposedBy);

/// <summary>Overrides (DESIGN §10): proposals, their four-eyes decisions, what scoring reads and what the expiry job ends.</summary>
internal interface IOverrideStore
{
    Task<OverrideRecord> ProposeAsync(NewOverride proposal, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The override; an active one whose until date is before <paramref name="today"/> reads as expired.</summary>
    Task<OverrideRecord?> FindAsync(string overrideId, DateOnly today, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a proposal active in one transaction: the person's active override, if any, is superseded, and the dispute
    /// it answers, when still open, becomes overridden (with its data use). False when it is no longer proposed.
    /// </summary>
    Task<bool> ApproveAsync(string overrideId, AuditActor approver, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends a proposal as rejected or withdrawn, with a note. False when it is no longer proposed.</summary>
    Task<bool> DeclineAsync(string overrideId, string state, AuditActor by, string note, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The most recent overrides in a state (null: all), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<OverrideRecord>> ListAsync(string? state, DateOnly today, int limit, CancellationToken cancellationToken);

    /// <summary>The person's active override, as scoring takes it (the scorer itself ignores it past its until date).</summary>
    Task<ColorOverride?> ActiveAsync(string personId, CancellationToken cancellationToken);

    /// <summary>The active overrides whose until date is before <paramref name="today"/>, with their persons.</summary>
    Task<IReadOnlyList<(string OverrideId, string PersonId)>> LapsedAsync(DateOnly today, CancellationToken cancellationToken);

    /// <summary>Records that an active override has ended (its person re-scored without it).</summary>
    Task MarkExpiredAsync(string overrideId, CancellationToken cancellationToken);
}

internal sealed class OverrideStore(IStoreDatabase database, PersonalFields personal) : IOverrideStore
{
    private const string DayFormat = "yyyy-MM-dd";

    // An active override past its date reads as expired at once, before the expiry job records it.
    private const string State = "CASE WHEN o.state = 'active' AND o.until_day < @today THEN 'expired' ELSE o.state END";

    private const string Select = $"""
        SELECT o.id AS Id, o.person_id AS PersonId, p.full_name AS FullName, p.id_number AS IdNumber, o.color AS Color, o.reason AS Reason,
               o.rule AS Rule, o.until_day AS UntilDay, o.dispute_id AS DisputeId, {State} AS State,
               o.proposed_by AS ProposedBy, o.proposed_by_name AS ProposedByName, o.proposed_at AS ProposedAt,
               o.decided_by AS DecidedBy, o.decided_by_name AS DecidedByName, o.decided_at AS DecidedAt, o.note AS Note
        FROM overrides o JOIN persons p ON p.id = o.person_id
        """;

    public async Task<OverrideRecord> ProposeAsync(NewOverride proposal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = Infrastructure.Auth.Secrets.NewId("ov_");
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO overrides (id, person_id, color, reason, rule, until_day, dispute_id, state, proposed_by, proposed_by_name, proposed_at)
            VALUES (@id, @PersonId, @color, @Reason, @Rule, @until, @DisputeId, 'proposed', @by, @byName, @at)
            """,
            new
            {
                id,
                proposal.PersonId,
                color = ColorText(proposal.Color),
                proposal.Reason,
                proposal.Rule,
                until = Day(proposal.Until),
                proposal.DisputeId,
                by = proposal.ProposedBy.OperatorId,
                byName = proposal.ProposedBy.Name,
                at = now.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
        return (await FindAsync(id, DateOnly.MinValue, cancellationToken))!;
    }

    public async Task<OverrideRecord?> FindAsync(string overrideId, DateOnly today, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE o.id = @overrideId", new { overrideId, today = Day(today) }, cancellationToken: cancellationToken));
        return row?.ToRecord(personal);
    }

    public async Task<bool> ApproveAsync(string overrideId, AuditActor approver, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var at = now.ToUnixTimeMilliseconds();
        var proposal = await connection.QuerySingleOrDefaultAsync<(string? PersonId, string? DisputeId)>(new CommandDefinition(
            "SELECT person_id, dispute_id FROM overrides WHERE id = @overrideId AND state = 'proposed'" + database.Dialect.ForUpdate,
            new { overrideId }, transaction, cancellationToken: cancellationToken));
        if (proposal.PersonId is null)
        {
            return false;
        }

        // At most one active override per person: on PostgreSQL two approvals for one person queue at the person's row
        // (SQLite's write transaction already excludes the second), so the later one supersedes the earlier.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT id FROM persons WHERE id = @person" + database.Dialect.ForUpdate, new { person = proposal.PersonId }, transaction, cancellationToken: cancellationToken));

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE overrides SET state = 'superseded' WHERE person_id = @person AND state = 'active';
            UPDATE overrides SET state = 'active', decided_by = @by, decided_by_name = @byName, decided_at = @at WHERE id = @overrideId;
            """,
            new { person = proposal.PersonId, overrideId, by = approver.OperatorId, byName = approver.Name, at }, transaction, cancellationToken: cancellationToken));
        if (proposal.DisputeId is { } disputeId)
        {
            await DisputeStore.MarkOverriddenAsync(connection, transaction, database.Dialect, disputeId, overrideId, approver.Name, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeclineAsync(string overrideId, string state, AuditActor by, string note, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE overrides SET state = @state, decided_by = @by, decided_by_name = @byName, decided_at = @at, note = @note
            WHERE id = @overrideId AND state = 'proposed'
            """,
            new { overrideId, state, by = by.OperatorId, byName = by.Name, at = now.ToUnixTimeMilliseconds(), note },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<IReadOnlyList<OverrideRecord>> ListAsync(string? state, DateOnly today, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var filter = state is null ? "" : $"WHERE {State} = @state";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} {filter} ORDER BY o.seq DESC LIMIT @limit", new { state, today = Day(today), limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord(personal))];
    }

    public async Task<ColorOverride?> ActiveAsync(string personId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Color, string Rule, string UntilDay)>(new CommandDefinition(
            "SELECT id, color, rule, until_day FROM overrides WHERE person_id = @personId AND state = 'active'", new { personId }, cancellationToken: cancellationToken));
        return row.Id is null ? null : new ColorOverride(row.Id, ParseColor(row.Color), row.Rule, ParseDay(row.UntilDay));
    }

    public async Task<IReadOnlyList<(string OverrideId, string PersonId)>> LapsedAsync(DateOnly today, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var lapsed = await connection.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT id, person_id FROM overrides WHERE state = 'active' AND until_day < @day", new { day = Day(today) }, cancellationToken: cancellationToken));
        return [.. lapsed];
    }

    public async Task MarkExpiredAsync(string overrideId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE overrides SET state = 'expired' WHERE id = @overrideId AND state = 'active'", new { overrideId }, cancellationToken: cancellationToken));
    }

    private static string Day(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, DayFormat, CultureInfo.InvariantCulture);

    private static string ColorText(CodeColor color) => color.ToString().ToLowerInvariant();

    private static CodeColor ParseColor(string color) => Enum.Parse<CodeColor>(color, ignoreCase: true);

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string PersonId { get; init; } = "";

        public string FullName { get; init; } = "";

        public string IdNumber { get; init; } = "";

        public string Color { get; init; } = "";

        public string Reason { get; init; } = "";

        public string Rule { get; init; } = "";

        public string UntilDay { get; init; } = "";

        public string? DisputeId { get; init; }

        public string State { get; init; } = "";

        public string ProposedBy { get; init; } = "";

        public string ProposedByName { get; init; } = "";

        public long ProposedAt { get; init; }

        public string? DecidedBy { get; init; }

        public string? DecidedByName { get; init; }

        public long? DecidedAt { get; init; }

        public string? Note { get; init; }

        /// <summary>The override, with the person's name and ID number decrypted for the list that shows them.</summary>
        public OverrideRecord ToRecord(PersonalFields personal) => new(
            Id, PersonId, personal.Open(PrivacyField.FullName, FullName, PersonId), personal.Open(PrivacyField.IdNumber, IdNumber, PersonId), ParseColor(Color), Reason, Rule, ParseDay(UntilDay), DisputeId, State,
            new AuditActor(ProposedBy, ProposedByName), DateTimeOffset.FromUnixTimeMilliseconds(ProposedAt),
            DecidedBy is null ? null : new AuditActor(DecidedBy, DecidedByName ?? DecidedBy),
            DecidedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            Note);
    }
}
