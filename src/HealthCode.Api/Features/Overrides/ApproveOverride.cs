using System.Security.Claims;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Overrides;

/// <summary>
/// <c>POST /api/v1/admin/overrides/{overrideId}/approve</c> (DESIGN §10 "Overrides"): a second health operator makes a
/// proposal take effect (<see cref="FourEyes"/>: never its proposer, 403 <c>four_eyes_required</c>). The person is
/// re-scored at once: their colour is the override's through its until date, with the reason <c>override</c>; the
/// dispute it answers reads <c>overridden</c>. The proposal's and the approval's audit entries both have the override's
/// id as their target, so the audit names both operators of one override.
/// </summary>
internal sealed record ApproveOverride(ClaimsPrincipal Operator, string OverrideId) : ICommand<Result<OverrideView>>;

internal sealed class ApproveOverrideHandler(IOverrideStore overrides, PersonRescoring rescoring, TimeProvider time) : ICommandHandler<ApproveOverride, Result<OverrideView>>
{
    public async ValueTask<Result<OverrideView>> Handle(ApproveOverride command, CancellationToken cancellationToken)
    {
        var today = time.Today();
        if (await overrides.FindAsync(command.OverrideId, today, cancellationToken) is not { } proposal)
        {
            return OverrideProblems.NotFound;
        }

        if (FourEyes.Refusal(proposal, command.Operator) is { } refused)
        {
            return refused;
        }

        if (proposal.State != OverrideStates.Proposed)
        {
            return OverrideProblems.NotProposed(proposal.State);
        }

        if (proposal.Until < today)
        {
            return OverrideProblems.Lapsed;
        }

        if (!await overrides.ApproveAsync(proposal.Id, command.Operator.AuditActor(), time.GetUtcNow(), cancellationToken))
        {
            // Decided by someone else between the read and the write.
            return OverrideProblems.NotProposed((await overrides.FindAsync(proposal.Id, today, cancellationToken))!.State);
        }

        await rescoring.RescoreAsync(proposal.PersonId, cancellationToken);
        return OverrideView.From((await overrides.FindAsync(proposal.Id, today, cancellationToken))!);
    }
}

internal static class ApproveOverrideEndpoint
{
    public static RouteHandlerBuilder MapApproveOverride(this RouteGroupBuilder group) => group
        .MapPost("/overrides/{overrideId}/approve", (string overrideId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ApproveOverride(context.User, overrideId), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("ApproveOverride")
        .WithSummary("Approve another health operator's override (role health; four eyes)")
        .WithDescription("""
            The override takes effect at once: the person is re-scored, their colour is the override's through until (the
            resident sees the reason override, naming the rule and the date; no operator's name), a person's earlier active
            override is superseded, and the dispute it answers reads overridden. 403 four_eyes_required for the proposer,
            for another account under the proposer's name, and for the configured operator key; 409 override_not_proposed
            when it was decided already, override_expired when its until date has passed. After until the scored colour
            returns (the service re-scores within a minute; any scoring ignores a past override).
            """);
}
