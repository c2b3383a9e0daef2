using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// <c>GET /api/v1/office/summary[?region=]</c> (DESIGN §10 "Grassroots offices"): how many codes of each colour the
/// office's area has, for each of the operator's offices (an operator may hold several office roles), broken down by the
/// declared regions in it, and in total. Counts name nobody: no data-use entry.
/// </summary>
internal sealed record GetOfficeSummary(IReadOnlyList<string> Offices, string? Region) : IQuery<Result<OfficeSummary>>;

/// <param name="Areas">One per office of the operator (or the one region asked for).</param>
/// <param name="Total">Everyone in any of the areas, each once however many of the operator's offices contain them.</param>
internal sealed record OfficeSummary(DateTimeOffset AsOf, IReadOnlyList<AreaSummary> Areas, ColourCounts Total);

/// <param name="Regions">The declared regions within the area that have anyone, in code order.</param>
internal sealed record AreaSummary(string Region, string? Name, string? NameEn, ColourCounts Counts, IReadOnlyList<RegionSummary> Regions);

internal sealed record RegionSummary(string Region, string? Name, string? NameEn, ColourCounts Counts);

internal sealed record ColourCounts(long Green, long Yellow, long Red)
{
    public long Total => Green + Yellow + Red;

    public static ColourCounts Of(IEnumerable<RegionColourCount> rows)
    {
        var list = rows.ToList();
        long Sum(CodeColor color) => list.Where(r => r.Color == color).Sum(r => r.Count);
        return new ColourCounts(Sum(CodeColor.Green), Sum(CodeColor.Yellow), Sum(CodeColor.Red));
    }
}

internal sealed class GetOfficeSummaryValidator : IValidator<GetOfficeSummary>
{
    public IReadOnlyList<FieldError> Validate(GetOfficeSummary message)
    {
        var errors = new List<FieldError>();
        OfficeAreas.Validate(message.Region, errors);
        return errors;
    }
}

internal sealed class GetOfficeSummaryHandler(IOfficeStore store, TimeProvider time) : IQueryHandler<GetOfficeSummary, Result<OfficeSummary>>
{
    public async ValueTask<Result<OfficeSummary>> Handle(GetOfficeSummary query, CancellationToken cancellationToken)
    {
        var scope = OfficeAreas.Scope(query.Offices, query.Region);
        if (scope.Problem is { } outside)
        {
            return outside;
        }

        var areas = scope.Value!;
        var rows = await store.CountAsync(areas, cancellationToken);
        return new OfficeSummary(
            time.GetUtcNow(),
            [.. areas.Select(area =>
            {
                var within = rows.Where(r => r.Region.StartsWith(area, StringComparison.Ordinal)).ToList();
                var name = OfficeAreas.Name(area);
                return new AreaSummary(area, name.Name, name.NameEn, ColourCounts.Of(within), [.. within.GroupBy(r => r.Region).Select(g =>
                {
                    var region = OfficeAreas.Name(g.Key);
                    return new RegionSummary(g.Key, region.Name, region.NameEn, ColourCounts.Of(g));
                })]);
            })],
            // A region row is one region and colour: counted once, even when two of the operator's offices hold it.
            ColourCounts.Of(rows));
    }
}

internal static class GetOfficeSummaryEndpoint
{
    public static void MapGetOfficeSummary(this RouteGroupBuilder group) => group
        .MapGet("/summary", (string? region, ClaimsPrincipal user, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new GetOfficeSummary(user.Offices(), region), ct).Answer(TypedResults.Ok);
        })
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("GetOfficeSummary")
        .WithSummary("Counts of codes by colour in the office's area (role office:<region>)")
        .WithDescription("""
            DESIGN §10: a person's area is the region of their latest declaration. areas: one per office role of the
            operator, each with its name (zh-CN and en; a county code has its prefecture's), counts {green, yellow, red,
            total} and regions, the declared regions in it that have anyone, each with its counts; total: everyone in any
            of the areas, once. region narrows it to one area within the operator's offices; one outside them is 403
            role_required naming the office role it would take, a malformed or unknown one 400 naming region.
            """);
}
