using System.Globalization;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Audit;

/// <summary>
/// <c>GET /api/v1/admin/audit?from=&amp;to=</c>: the scan audit log of a time range (at most 1000 entries). The bounds
/// come as the query string has them and are parsed here, so a bad one is a named field error (DESIGN §5).
/// </summary>
internal sealed record ListAudit(string? From, string? To) : IQuery<Result<AuditPage>>;

internal sealed record AuditPage(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AuditEntryView> Entries);

/// <param name="Actor">The named operator of an operator action (<c>{operatorId, name}</c>); null for scans and lookups.</param>
/// <param name="Target">What an operator action acted on, when it names one.</param>
internal sealed record AuditEntryView(
    long Seq, DateTimeOffset At, string CheckpointId, string StaffId, string Action, string? Issuer, string? CodeId, string Outcome, AuditActor? Actor, string? Target, string Hash);

internal sealed class ListAuditHandler(IAuditStore store, TimeProvider time) : IQueryHandler<ListAudit, Result<AuditPage>>
{
    public const int MaxEntries = 1000;

    public async ValueTask<Result<AuditPage>> Handle(ListAudit query, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var requestedFrom = QueryInstant.Parse("from", query.From, errors);
        var requestedTo = QueryInstant.Parse("to", query.To, errors);
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        var to = requestedTo ?? time.GetUtcNow().AddSeconds(1);
        // A day before 'to', short of the calendar's first day (to=0001-01-01 is a range, not a server error).
        var from = requestedFrom ?? (to > DateTimeOffset.MinValue.AddDays(1) ? to.AddDays(-1) : DateTimeOffset.MinValue);
        if (from > to)
        {
            return new ApiProblem(StatusCodes.Status400BadRequest, "validation_failed", "'from' must be before 'to'.",
                Errors: [new FieldError("from", "range_invalid", "Choose a 'from' earlier than 'to'.")]);
        }

        // Every scan answered before this request is in the store already: scans wait for their commit.
        var entries = await store.ReadAsync(from, to, MaxEntries, cancellationToken);
        return new AuditPage(from, to, [.. entries.Select(e => new AuditEntryView(
            e.Seq, e.Event.At, e.Event.CheckpointId, e.Event.StaffId, e.Event.Action, e.Event.Issuer, e.Event.CodeId, e.Event.Outcome,
            e.Event.Actor, e.Event.Target, e.Hash))]);
    }
}

/// <summary>
/// An instant in a query string, in ISO 8601 as RFC 3339 profiles it: a date and time with an optional fraction and a
/// zone (<c>Z</c> or <c>±hh:mm</c>; none means UTC), or a date alone (midnight UTC).
/// </summary>
internal static class QueryInstant
{
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    /// <summary>The instant in <paramref name="text"/>; null when it is absent, or invalid and then named in <paramref name="errors"/>.</summary>
    public static DateTimeOffset? Parse(string field, string? text, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        // A '+' left unescaped in a URL query reads as a space (HTML form encoding), so +08:00 arrives as " 08:00".
        errors.Add(new FieldError(field, "datetime_invalid", text.Contains(' ', StringComparison.Ordinal)
            ? $"'{field}' has a space: write the '+' of a time zone offset as %2B, e.g. 2026-11-28T08:00:00%2B08:00."
            : $"Give '{field}' as an ISO 8601 date and time, e.g. 2026-11-28T08:00:00Z, 2026-11-28T08:00:00%2B08:00 or 2026-11-28."));
        return null;
    }
}

internal static class ListAuditEndpoint
{
    public static RouteHandlerBuilder MapListAudit(this RouteGroupBuilder group) => group
        .MapGet("/audit", (string? from, string? to, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ListAudit(from, to), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListAudit")
        .WithSummary("The audit log of a time range (role auditor or admin)")
        .WithDescription("Every verify and lookup: seq (the scanId its answer carried), checkpoint, staff id, time, issuer, pseudonymous code id, outcome, and the entry's chain hash. Every operator action too (checkpointId operators): action the endpoint's name (CreateStaff, RevokeOperator, ...), target what it acted on, outcome the HTTP status, actor {operatorId, name} (bootstrap for the configured key). At most 1000 entries; default the last 24 hours. from and to are ISO 8601 (2026-11-28T08:00:00Z, an offset's '+' as %2B, or a date alone, midnight UTC); an invalid one is a 400 validation_failed naming the field (code datetime_invalid).");
}
