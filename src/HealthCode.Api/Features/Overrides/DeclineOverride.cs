using System.Security.Claims;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Overrides;

/// <summary>The body of <c>POST /api/v1/admin/overrides/{overrideId}/reject</c>.</summary>
internal sealed record DeclineOverrideRequest(string? Note);

/// <summary>
/// <c>POST /api/v1/admin/overrides/{overrideId}/reject {note}</c> (DESIGN §10): a health operator turns a proposal down
/// (<c>rejected</c>), or its proposer takes it back (<c>withdrawn</c>), saying why. Nothing about the person changes.
/// </summary>
internal sealed record DeclineOverride(ClaimsPrincipal Operator, string OverrideId, string? Note) : ICommand<Result<OverrideView>>;

internal sealed class DeclineOverrideValidator : IValidator<DeclineOverride>
{
    public IReadOnlyList<FieldError> Validate(DeclineOverride message)
    {
        var errors = new List<FieldError>();
        FieldRules.Text("note", message.Note, ProposeOverrideValidator.ReasonMaxLength, multiline: true, "why the override should not take effect", errors);
        return errors;
    }
}

internal sealed class DeclineOverrideHandler(IOverrideStore overrides, TimeProvider time) : ICommandHandler<DeclineOverride, Result<OverrideView>>
{
    public async ValueTask<Result<OverrideView>> Handle(DeclineOverride command, CancellationToken cancellationToken)
    {
        var today = time.Today();
        if (await overrides.FindAsync(command.OverrideId, today, cancellationToken) is not { } proposal)
        {
            return OverrideProblems.NotFound;
        }

        var by = command.Operator.AuditActor();
        var state = by.OperatorId == proposal.ProposedBy.OperatorId ? OverrideStates.Withdrawn : OverrideStates.Rejected;
        if (proposal.State != OverrideStates.Proposed
            || !await overrides.DeclineAsync(proposal.Id, state, by, command.Note!.Trim(), time.GetUtcNow(), cancellationToken))
        {
            return OverrideProblems.NotProposed((await overrides.FindAsync(proposal.Id, today, cancellationToken))!.State);
        }

        return OverrideView.From((await overrides.FindAsync(proposal.Id, today, cancellationToken))!);
    }
}

internal static class DeclineOverrideEndpoint
{
    public static RouteHandlerBuilder MapDeclineOverride(this RouteGroupBuilder group) => group
        .MapPost("/overrides/{overrideId}/reject", async Task<Results<Ok<OverrideView>, ProblemHttpResult>> (
            string overrideId, JsonBody<DeclineOverrideRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new DeclineOverride(context.User, overrideId, body.Value!.Note), ct).Answer(TypedResults.Ok))
        .Accepts<DeclineOverrideRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("DeclineOverride")
        .WithSummary("Reject a proposed override, or withdraw your own (role health)")
        .WithDescription("note (required, at most 500 characters) says why. The proposer's own call withdraws it (state withdrawn); another health operator's rejects it (state rejected). 409 override_not_proposed once it was approved or decided.");
}
