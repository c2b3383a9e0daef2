using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// <c>GET /api/v1/office/me</c>: the office operator's own record, as the token says it, so that the office page can
/// check a token when it is saved (as the scanner checks a staff token with <c>GET /api/v1/staff/me</c>); the operators'
/// list (<c>GET /api/v1/admin/operators</c>) is for admins only.
/// </summary>
internal sealed record OfficeOperator(string OperatorId, string Name, IReadOnlyList<AreaName> Offices);

internal static class GetOfficeMeEndpoint
{
    public static void MapGetOfficeMe(this RouteGroupBuilder group) => group
        .MapGet("/me", (ClaimsPrincipal user) =>
            TypedResults.Ok(new OfficeOperator(user.OperatorId(), user.OperatorName(), [.. user.Offices().Select(OfficeAreas.Name)])))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("GetOfficeMe")
        .WithSummary("The office operator's own record (role office:<region>)")
        .WithDescription("operatorId, name and offices: the areas of the operator's office roles, each with its name in zh-CN and en (a county code has its prefecture's). Reads nobody's data.");
}
