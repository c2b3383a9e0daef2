using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>The body of <c>POST /api/v1/me/dependants</c>: a family member by name and ID number.</summary>
internal sealed record DependantRequest(string? Name, string? IdNumber);

/// <summary>
/// <c>POST /api/v1/me/dependants</c> (DESIGN §8, 代申报): the holder adds a family member without a phone
/// (a child, an elderly parent), up to five, under the same rules as a holder: one person, one code, so
/// an ID number another phone holds is refused with <c>identity_bound_elsewhere</c>.
/// </summary>
internal sealed record AddDependant(string ResidentId, string? Name, string? IdNumber) : ICommand<Result<DependantView>>;

/// <summary>
/// A family member as their holder sees them. The name and ID number are the holder's own entries, shown
/// back only to the holder's session, because every declaration for the family member carries them
/// (DESIGN §5) and a daily declaration should not mean typing an ID number again.
/// </summary>
/// <param name="Color">The code's colour; null until someone declares for them.</param>
internal sealed record DependantView(string PersonId, string Name, string IdNumber, string MaskedName, string IdTail, string? Color, DateTimeOffset? UpdatedAt)
{
    public static DependantView From(DependantRecord d) => new(
        d.Person.Id,
        d.Person.FullName,
        d.Person.IdNumber,
        Declarations.IdNumber.MaskName(d.Person.FullName),
        Declarations.IdNumber.Tail(d.Person.IdNumber),
        d.Color?.ToString().ToLowerInvariant(),
        d.UpdatedAt);
}

internal sealed class AddDependantValidator(TimeProvider time) : IValidator<AddDependant>
{
    public IReadOnlyList<FieldError> Validate(AddDependant message)
    {
        var errors = new List<FieldError>();
        DeclarationValidator.ValidateName(message.Name, errors);
        DeclarationValidator.ValidateIdNumber(message.IdNumber, time.Today(), errors);
        return errors;
    }
}

internal sealed class AddDependantHandler(IPersonStore persons, AccountPersons accountPersons, TimeProvider time) : ICommandHandler<AddDependant, Result<DependantView>>
{
    /// <summary>DESIGN §8: a holder adds up to 5 dependants.</summary>
    public const int MaxDependants = 5;

    public async ValueTask<Result<DependantView>> Handle(AddDependant command, CancellationToken cancellationToken)
    {
        if (await persons.FindHolderAsync(command.ResidentId, cancellationToken) is null)
        {
            return new ApiProblem(StatusCodes.Status409Conflict, "holder_required", "Declare for yourself first.",
                "The account's holder is fixed by its first declaration; family members are added after it.");
        }

        var idNumber = command.IdNumber!.Trim().ToUpperInvariant();
        if (await accountPersons.NotInRegisterAsync(idNumber, command.Name!.Trim(), cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var bound = await persons.AddDependantAsync(command.ResidentId, idNumber, command.Name!.Trim(), MaxDependants, time.GetUtcNow(), cancellationToken);
        if (bound.Outcome == BindOutcome.Bound)
        {
            await accountPersons.RecordIdentityCheckAsync(bound.Person!.Id, idNumber, command.Name.Trim(), "resident", cancellationToken);
        }

        return bound.Outcome switch
        {
            BindOutcome.Bound => DependantView.From(new DependantRecord(bound.Person!, null, null)),
            BindOutcome.AccountFull => new ApiProblem(StatusCodes.Status409Conflict, "dependants_limit",
                $"An account can hold at most {MaxDependants} family members.", "Remove a family member who no longer needs this phone first."),
            BindOutcome.BoundHereOtherwise => new ApiProblem(StatusCodes.Status409Conflict, "dependant_is_holder",
                "This is the account's own holder.", "Add someone else: the holder's code is already on this phone.",
                [new FieldError("idNumber", "dependant_is_holder", "This ID number is the account holder's own.")]),
            _ => IdentityProblems.From(bound, command.IdNumber, command.Name),
        };
    }
}

internal static class AddDependantEndpoint
{
    public static void MapAddDependant(this RouteGroupBuilder group) => group
        .MapPost("/me/dependants", async Task<Results<Created<DependantView>, ProblemHttpResult>> (
            JsonBody<DependantRequest> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new AddDependant(context.User.ResidentId(), body.Value!.Name, body.Value.IdNumber), ct)
                    .Answer(added => TypedResults.Created($"/api/v1/me/code?personId={added.PersonId}", added)))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Accepts<DependantRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("AddDependant")
        .WithSummary("Add a family member without a phone")
        .WithDescription("Up to 5 per account, after the holder's own first declaration. 409 identity_bound_elsewhere when another phone holds the ID number (heldBy, masked), identity_mismatch when the person is known under another name, dependants_limit past 5. Declare for them with POST /api/v1/declarations?personId=.");
}
