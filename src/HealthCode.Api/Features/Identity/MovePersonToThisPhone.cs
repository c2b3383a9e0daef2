using HealthCode.Api.Features.Auth;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>The body of <c>POST /api/v1/me/transfer</c>: who to move here, and the old phone's one-time code.</summary>
internal sealed record MovePersonRequest(string? IdNumber, string? Name, string? OldPhone, string? Code);

/// <summary>
/// <c>POST /api/v1/me/transfer</c> (DESIGN §8): a person moves to a new phone. Logged in on the new phone,
/// the resident asks for a one-time code for the old phone (<c>POST /api/v1/auth/otp</c>) and sends it here
/// with their ID number and name; whoever has the old phone agrees by passing the code on. The holder's
/// family members move with them. Audited.
/// </summary>
internal sealed record MovePersonToThisPhone(string ResidentId, string? IdNumber, string? Name, string? OldPhone, string? Code) : ICommand<Result<PersonMoved>>;

internal sealed record PersonMoved(string PersonId, string MaskedName, string IdTail);

internal sealed class MovePersonToThisPhoneValidator(TimeProvider time) : IValidator<MovePersonToThisPhone>
{
    public IReadOnlyList<FieldError> Validate(MovePersonToThisPhone message)
    {
        var errors = new List<FieldError>();
        DeclarationValidator.ValidateName(message.Name, errors);
        DeclarationValidator.ValidateIdNumber(message.IdNumber, time.Today(), errors);
        if (!PhoneNumber.IsValid(message.OldPhone))
        {
            errors.Add(new FieldError("oldPhone", "phone_invalid", "Enter the old phone's 11-digit number."));
        }

        if (message.Code is not { Length: 6 } code || !code.All(char.IsAsciiDigit))
        {
            errors.Add(new FieldError("code", "otp_format", "Enter the 6-digit code sent to the old phone."));
        }

        return errors;
    }
}

internal sealed class MovePersonToThisPhoneHandler(IPersonStore persons, PhoneCodeCheck phoneCodes, PersonMoves moves)
    : ICommandHandler<MovePersonToThisPhone, Result<PersonMoved>>
{
    public async ValueTask<Result<PersonMoved>> Handle(MovePersonToThisPhone command, CancellationToken cancellationToken)
    {
        var person = await persons.FindByIdNumberAsync(command.IdNumber!.Trim().ToUpperInvariant(), cancellationToken);
        if (person is not { Role: PersonRole.Holder } || person.FullName != command.Name!.Trim() || person.AccountPhone != command.OldPhone)
        {
            // Said the same way whatever did not match, so the answer tells nothing about who holds whom.
            return ApiProblem.NotFound("transfer_not_found", "That phone does not hold a person with this ID number and name. Check all three.");
        }

        // The old phone's code, within the old phone's wrong-guess budget: the same proof a login asks for.
        if (await phoneCodes.CheckAsync(command.OldPhone!, command.Code!, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await moves.MoveAsync(person, command.ResidentId, "old_phone_code", null, cancellationToken);
    }
}

internal static class MovePersonToThisPhoneEndpoint
{
    public static void MapMovePersonToThisPhone(this RouteGroupBuilder group) => group
        .MapPost("/me/transfer", async Task<Results<Ok<PersonMoved>, ProblemHttpResult>> (
            JsonBody<MovePersonRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new MovePersonToThisPhone(context.User.ResidentId(), body.Value!.IdNumber, body.Value.Name, body.Value.OldPhone, body.Value.Code), ct)
                    .Answer(context.Response, TypedResults.Ok))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Accepts<MovePersonRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .WithName("MovePersonToThisPhone")
        .WithSummary("Move a person (and their family members) to this phone")
        .WithDescription("Send a one-time code to the old phone with POST /api/v1/auth/otp, then send it here with the person's ID number and name. This phone must not hold anyone yet. Audited.");
}
