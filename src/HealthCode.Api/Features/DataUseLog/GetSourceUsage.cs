using System.Security.Claims;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// <c>GET /api/v1/sources/{code}/usage[?from=&amp;to=]</c> (DESIGN §10 "Data-use log"): how a catalogue entry's data was
/// used, counted by day (China Standard Time) and purpose; never a person. For the providing department (role
/// <c>department:&lt;provider&gt;</c>), admins and auditors.
/// </summary>
internal sealed record GetSourceUsage(string Source, string? From, string? To, ClaimsPrincipal Operator) : IQuery<Result<SourceUsage>>;

/// <param name="From">The start of the range counted (default: 30 days before <paramref name="To"/>).</param>
/// <param name="To">Its end, exclusive (default: a second past now).</param>
/// <param name="Days">Each day and purpose with uses: how many uses, of how many distinct persons.</param>
/// <param name="Totals">Uses per purpose over the whole range.</param>
internal sealed record SourceUsage(
    string Source, string Name, string Provider, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DataUseCount> Days, IReadOnlyDictionary<string, long> Totals);

internal sealed class GetSourceUsageHandler(ICatalogStore catalog, IDataUseStore dataUse, TimeProvider time) : IQueryHandler<GetSourceUsage, Result<SourceUsage>>
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(30);

    public async ValueTask<Result<SourceUsage>> Handle(GetSourceUsage query, CancellationToken cancellationToken)
    {
        if (await catalog.FindEntryAsync(query.Source, cancellationToken) is not { } entry)
        {
            return SharingProblems.SourceNotFound(query.Source);
        }

        // The providing department sees how its own data was used; auditors and admins see every department's.
        var user = query.Operator;
        if (!user.IsDepartment(entry.Provider) && !user.HasRole(OperatorRoles.Auditor) && !user.HasRole(OperatorRoles.Admin))
        {
            return OperatorPolicies.RoleRequired(OperatorRoles.Department(entry.Provider), OperatorRoles.Auditor, OperatorRoles.Admin);
        }

        var errors = new List<FieldError>();
        var from = QueryInstant.Parse("from", query.From, errors);
        var to = QueryInstant.Parse("to", query.To, errors);
        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        // By default up to a second past now: a use recorded in this very millisecond is counted too.
        var end = to ?? time.GetUtcNow().AddSeconds(1);
        var start = from ?? (end > DateTimeOffset.MinValue.Add(DefaultRange) ? end - DefaultRange : DateTimeOffset.MinValue);
        if (start > end)
        {
            return QueryInstant.RangeInvalid;
        }

        var days = await dataUse.UsageAsync(entry.Code, start, end, cancellationToken);
        var totals = days.GroupBy(d => d.Purpose, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(d => d.Uses), StringComparer.Ordinal);
        return new SourceUsage(entry.Code, entry.Name, entry.Provider, start, end, days, totals);
    }
}

internal static class GetSourceUsageEndpoint
{
    public static void MapGetSourceUsage(this RouteGroupBuilder group) => group
        .MapGet("/sources/{code}/usage", (string code, string? from, string? to, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new GetSourceUsage(code, from, to, context.User), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithCallerRoles(OperatorRoles.Department("<provider>"), OperatorRoles.Auditor, OperatorRoles.Admin)
        .WithName("GetSourceUsage")
        .WithSummary("How a catalogue entry's data was used, in aggregate")
        .WithDescription("For the providing department (role department:<provider>), auditors and admins; another operator is 403 role_required. Counts from the data-use log (DESIGN §10) by day (China Standard Time) and purpose: days [{day, purpose, uses, persons (distinct)}] and totals {purpose: uses}; never a person. from (default 30 days before to) and to (default now, exclusive) are ISO 8601 instants or dates, as for the audit; an invalid one is a 400 validation_failed naming it.");
}
