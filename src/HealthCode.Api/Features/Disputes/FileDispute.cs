using HealthCode.Api.Features.Codes;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Disputes;

/// <summary>The body of <c>POST /api/v1/me/disputes</c>: the fact as a reason names it (its source and batch), and what is wrong.</summary>
internal sealed record FileDisputeRequest(string? Source, string? BatchId, string? Reason);

/// <summary>
/// <c>POST /api/v1/me/disputes[?personId=]</c> (DESIGN §10, GB/T 38963 纠错): a resident disputes a fact a department
/// shared about the account's holder, or about one of its family members, naming it as the code's reason does (source
/// and batch). The person must really have a fact of that source and batch (else 404 <c>fact_not_found</c>). One
/// dispute is open per person and fact: filing again answers the open one (200). Filing is a use of the person's data
/// (purpose <c>dispute</c>), in the data-use log.
/// </summary>
internal sealed record FileDispute(string ResidentId, string? PersonId, string? Source, string? BatchId, string? Reason) : ICommand<Result<DisputeFiled>>;

/// <param name="Created">False when the dispute was open already.</param>
internal sealed record DisputeFiled(DisputeView Dispute, bool Created);

internal sealed class FileDisputeValidator : IValidator<FileDispute>
{
    public const int ReasonMaxLength = 500;

    public IReadOnlyList<FieldError> Validate(FileDispute message)
    {
        var errors = new List<FieldError>();
        FieldRules.Text("source", message.Source, 64, multiline: false, "which source the fact comes from (the reason's source code)", errors);
        FieldRules.Text("batchId", message.BatchId, 128, multiline: false, "which batch brought the fact (the reason's batch)", errors);
        FieldRules.Text("reason", message.Reason, ReasonMaxLength, multiline: true, "what is wrong with the fact", errors);
        return errors;
    }
}

internal sealed class FileDisputeHandler(AccountPersons persons, IDisputeStore disputes, TimeProvider time) : ICommandHandler<FileDispute, Result<DisputeFiled>>
{
    public async ValueTask<Result<DisputeFiled>> Handle(FileDispute command, CancellationToken cancellationToken)
    {
        var found = await persons.FindAsync(command.ResidentId, command.PersonId, CodeProblems.NoDeclaration, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var filed = await disputes.FileAsync(
            new NewDispute(found.Value!.Id, command.Source!.Trim(), command.BatchId!.Trim(), command.Reason!.Trim(), command.ResidentId),
            time.GetUtcNow(),
            cancellationToken);
        return filed is { } answer ? new DisputeFiled(DisputeView.ForResident(answer.Dispute), answer.Created) : DisputeProblems.FactNotFound;
    }
}

internal static class FileDisputeEndpoint
{
    public static void MapFileDispute(this RouteGroupBuilder group) => group
        .MapPost("/me/disputes", async Task<Results<Created<DisputeView>, Ok<DisputeView>, ProblemHttpResult>> (
            JsonBody<FileDisputeRequest> body, string? personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            if (body.Problem is { } invalid)
            {
                return invalid.ToResult();
            }

            var request = body.Value!;
            var result = await mediator.Send(new FileDispute(context.User.ResidentId(), personId, request.Source, request.BatchId, request.Reason), ct);
            return result.Match<Results<Created<DisputeView>, Ok<DisputeView>, ProblemHttpResult>>(
                filed => filed.Created ? TypedResults.Created("/api/v1/me/disputes", filed.Dispute) : TypedResults.Ok(filed.Dispute),
                refused => refused.ToResult());
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Accepts<FileDisputeRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("FileDispute")
        .WithSummary("Dispute a fact a department shared about the holder or a family member (纠错)")
        .WithDescription("""
            DESIGN §10, GB/T 38963: name the fact as the code's reason does (source: the reason's source.code; batchId: its
            source.batchId) and say what is wrong (reason, at most 500 characters). personId (GET /api/v1/me/dependants)
            chooses a family member; without it, the holder. 201 with the new dispute; 200 with the one already open for
            that fact. 404 fact_not_found when the person has no fact of that source and batch (a risk area's designation
            is about a region, not a person), person_not_found for anyone not on this account. The providing department
            and the health operators answer it; GET /api/v1/me/disputes shows its state: open, retracted (the department
            retracted or replaced the row), overridden (a four-eyes override answers it) or rejected (the fact stands; note
            says why). Filing is recorded in the data-use log (purpose dispute).
            """);
}
