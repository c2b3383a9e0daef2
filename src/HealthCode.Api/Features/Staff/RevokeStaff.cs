using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Staff;

/// <summary><c>DELETE /api/v1/admin/staff/{staffId}</c>: the staff member's token stops working at once.</summary>
internal sealed record RevokeStaff(string StaffId) : ICommand<Result<Revoked>>;

internal sealed record Revoked(string StaffId);

internal sealed class RevokeStaffHandler(StaffDirectory staff, TimeProvider time) : ICommandHandler<RevokeStaff, Result<Revoked>>
{
    public async ValueTask<Result<Revoked>> Handle(RevokeStaff command, CancellationToken cancellationToken) =>
        await staff.RevokeAsync(command.StaffId, time.GetUtcNow(), cancellationToken)
            ? new Revoked(command.StaffId)
            : ApiProblem.NotFound("staff_not_found", "There is no staff member with this id.");
}

internal static class RevokeStaffEndpoint
{
    public static void MapRevokeStaff(this RouteGroupBuilder group) => group
        .MapDelete("/staff/{staffId}", (string staffId, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new RevokeStaff(staffId), ct).Answer(_ => TypedResults.NoContent()))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("RevokeStaff")
        .WithSummary("Revoke a staff member's token")
        .WithDescription("Takes effect at once: the next scan with that token is refused with staff_token_revoked.");
}
