using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Disputes;

/// <summary>The body of <c>POST /api/v1/admin/disputes/{disputeId}/reject</c>: the answer the resident reads.</summary>
internal sealed record RejectDisputeRequest(string? Note);

/// <summary>
/// <c>POST /api/v1/admin/disputes/{disputeId}/reject {note}</c> (DESIGN §10): a health operator or the providing
/// department answers an open dispute that the fact stands, saying why. Another department is refused (403
/// <c>role_required</c>). The answer is a use of the person's data (purpose <c>dispute</c>, under the operator's name)
/// and, as every operator action, in the audit with the dispute's id as its target.
/// </summary>
internal sealed record RejectDispute(ClaimsPrincipal Operator, string DisputeId, string? Note) : ICommand<Result<DisputeView>>;

internal sealed class RejectDisputeValidator : IValidator<RejectDispute>
{
    public const int NoteMaxLength = 500;

    public IReadOnlyList<FieldError> Validate(RejectDispute message)
    {
        var errors = new List<FieldError>();
        FieldRules.Text("note", message.Note, NoteMaxLength, multiline: true, "why the fact stands (the resident reads it)", errors);
        return errors;
    }
}

internal sealed class RejectDisputeHandler(IDisputeStore disputes, TimeProvider time) : ICommandHandler<RejectDispute, Result<DisputeView>>
{
    public async ValueTask<Result<DisputeView>> Handle(RejectDispute command, CancellationToken cancellationToken)
    {
        if (await disputes.FindAsync(command.DisputeId, cancellationToken) is not { } dispute)
        {
            return DisputeProblems.NotFound;
        }

        if (!DisputeAccess.MayHandle(command.Operator, dispute.Provider))
        {
            return DisputeAccess.Refused(dispute.Provider);
        }

        // The row may be gone since the dispute was listed: then it is retracted, not rejected.
        var now = time.GetUtcNow();
        await disputes.SettleRetractedAsync([dispute.PersonId], now, cancellationToken);
        if (!await disputes.RejectAsync(dispute.Id, command.Note!.Trim(), command.Operator.OperatorName(), now, cancellationToken))
        {
            return DisputeProblems.Closed((await disputes.FindAsync(dispute.Id, cancellationToken))!.State);
        }

        return DisputeView.ForOperator((await disputes.FindAsync(dispute.Id, cancellationToken))!);
    }
}

internal static class RejectDisputeEndpoint
{
    public static void MapRejectDispute(this RouteGroupBuilder group) => group
        .MapPost("/disputes/{disputeId}/reject", async Task<Results<Ok<DisputeView>, ProblemHttpResult>> (
            string disputeId, JsonBody<RejectDisputeRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new RejectDispute(context.User, disputeId, body.Value!.Note), ct).Answer(TypedResults.Ok))
        .Accepts<RejectDisputeRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithCallerRoles(OperatorRoles.Health, OperatorRoles.Department("<provider>"))
        .WithName("RejectDispute")
        .WithSummary("Answer a dispute that the fact stands (role health, or the providing department)")
        .WithDescription("note (required, at most 500 characters) is the answer the resident reads on the page. 409 dispute_closed when the dispute is no longer open (state says how it ended; a row retracted meanwhile closes it as retracted); 403 role_required for a department whose data it is not. To correct the fact instead, the department uploads a batch that retracts or replaces the row (the dispute then reads retracted), or a health operator proposes an override with the disputeId.");
}
