using HealthCode.Api.Features.Auth;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>The body of <c>POST /api/v1/admin/persons/transfer</c>.</summary>
internal sealed record OperatorMoveRequest(string? IdNumber, string? Name, string? ToPhone, string? Reason);

/// <summary>
/// <c>POST /api/v1/admin/persons/transfer</c> (DESIGN §8): an operator moves a person to a new phone when
/// the old one is lost, with a reason; audited. The new phone must have logged in once and hold no one.
/// </summary>
internal sealed record MovePersonByOperator(string? IdNumber, string? Name, string? ToPhone, string? Reason) : ICommand<Result<PersonMoved>>;

internal sealed class MovePersonByOperatorValidator(TimeProvider time) : IValidator<MovePersonByOperator>
{
    public const int ReasonMaxLength = 200;

    public IReadOnlyList<FieldError> Validate(MovePersonByOperator message)
    {
        var errors = new List<FieldError>();
        DeclarationValidator.ValidateName(message.Name, errors);
        DeclarationValidator.ValidateIdNumber(message.IdNumber, time.Today(), errors);
        if (!PhoneNumber.IsValid(message.ToPhone))
        {
            errors.Add(new FieldError("toPhone", "phone_invalid", "Enter the new phone's 11-digit number."));
        }

        if (string.IsNullOrWhiteSpace(message.Reason) || message.Reason.Trim().Length > ReasonMaxLength || message.Reason.Any(char.IsControl))
        {
            errors.Add(new FieldError("reason", "reason_required",
                $"Say why the person moves (for example the ticket number of their request and how they proved who they are), at most {ReasonMaxLength} characters."));
        }

        return errors;
    }
}

internal sealed class MovePersonByOperatorHandler(IPersonStore persons, PersonMoves moves) : ICommandHandler<MovePersonByOperator, Result<PersonMoved>>
{
    public async ValueTask<Result<PersonMoved>> Handle(MovePersonByOperator command, CancellationToken cancellationToken)
    {
        var person = await persons.FindByIdNumberAsync(command.IdNumber!.Trim().ToUpperInvariant(), cancellationToken);
        if (person is not { Role: PersonRole.Holder } || person.FullName != command.Name!.Trim())
        {
            return ApiProblem.NotFound("transfer_not_found", "No phone holds a person with this ID number and name as its holder.");
        }

        if (await persons.FindAccountByPhoneAsync(command.ToPhone!, cancellationToken) is not { } toAccount)
        {
            return ApiProblem.NotFound("account_not_found", "The new phone has never logged in: ask the person to log in with it once, then try again.");
        }

        return await moves.MoveAsync(person, toAccount, "operator", command.Reason!.Trim(), cancellationToken);
    }
}

internal static class MovePersonByOperatorEndpoint
{
    public static void MapMovePersonByOperator(this RouteGroupBuilder group) => group
        .MapPost("/persons/transfer", async Task<Results<Ok<PersonMoved>, ProblemHttpResult>> (
            JsonBody<OperatorMoveRequest> body, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new MovePersonByOperator(body.Value!.IdNumber, body.Value.Name, body.Value.ToPhone, body.Value.Reason), ct)
                    .Answer(TypedResults.Ok))
        .Accepts<OperatorMoveRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("MovePersonByOperator")
        .WithSummary("Move a person to a new phone (operator, audited)")
        .WithDescription("For a lost or replaced phone: the person's code, history and family members move to the account of toPhone, which must have logged in once and hold no one. The reason is kept with the move; the move is in the audit log.");
}
