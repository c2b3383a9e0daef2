using System.Globalization;
using System.Security.Claims;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Staff;

/// <summary>
/// <c>GET /api/v1/staff/me</c> (DESIGN §5): the staff token's own record, so that the scanner page checks a token when it
/// is saved, and takes the checkpoint from it, rather than at the first scan. A made-up, expired or revoked token is
/// answered 401 by the staff scheme (<c>staff_token_invalid</c>, <c>_expired</c>, <c>_revoked</c>) before this runs.
/// </summary>
/// <remarks>
/// Not in the scan audit: that log holds what a staff member learnt about a resident (every scan and lookup, DESIGN §10),
/// and this reads nobody's data but the caller's own record, as <c>GET /api/v1/office/me</c> does for an office.
/// </remarks>
/// <param name="Name">The staff member's name as the operator enrolled it.</param>
/// <param name="CheckpointId">The one checkpoint the token is for: verify and lookup must name it.</param>
/// <param name="Province">The province this service is, whose checkpoint it is.</param>
/// <param name="ExpiresAt">When the token stops working (one shift, <c>HealthCode:Staff:TokenLifetime</c>).</param>
internal sealed record StaffMe(string StaffId, string Name, string CheckpointId, StaffProvince Province, DateTimeOffset ExpiresAt);

/// <param name="Code">The 6-digit GB/T 2260 code, e.g. <c>410000</c>.</param>
/// <param name="Name">Its name, e.g. <c>河南省</c>.</param>
internal sealed record StaffProvince(string Code, string Name);

internal static class GetStaffMeEndpoint
{
    public static void MapGetStaffMe(this RouteGroupBuilder group) => group
        .MapGet("/staff/me", (ClaimsPrincipal user, IOptions<HealthCodeOptions> options) =>
        {
            var province = options.Value.Province;
            return TypedResults.Ok(new StaffMe(
                user.FindFirstValue(StaffAuthentication.StaffIdClaim)!,
                user.FindFirstValue(StaffAuthentication.NameClaim)!,
                user.FindFirstValue(StaffAuthentication.CheckpointClaim)!,
                new StaffProvince(province.Code, province.Name),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(user.FindFirstValue(StaffAuthentication.ExpiresAtClaim)!, CultureInfo.InvariantCulture))));
        })
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("GetStaffMe")
        .WithSummary("The staff token's own record")
        .WithDescription("staffId, name, checkpointId, province {code, name} and expiresAt of the calling staff token. 401 with staff_token_missing, _invalid, _expired or _revoked otherwise: the scanner page checks a token with it when it is saved. Reads nobody's data.");
}
