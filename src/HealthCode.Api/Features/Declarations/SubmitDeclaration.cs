using System.Text.Json;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// <c>POST /api/v1/declarations[?personId=]</c>: a resident declares for the account's holder (or, with
/// <c>personId</c>, for a family member); the policy scores it with the person's history; the person's
/// code is updated (DESIGN §5, §8).
/// </summary>
internal sealed record SubmitDeclaration(string ResidentId, string? PersonId, Declaration Declaration) : ICommand<Result<DeclarationAccepted>>;

internal sealed record DeclarationAccepted(string PersonId, string CodeId, CodeColor Color, IReadOnlyList<RiskReason> Reasons, int StatusVersion, DateOnly? GreenAfter);

/// <summary>The declaration's rules on today's date; JsonBody also runs them beside a body's type errors, so both come in one answer.</summary>
internal sealed class DeclarationBodyValidator(DeclarationValidator validator, TimeProvider time) : IValidator<Declaration>
{
    public IReadOnlyList<FieldError> Validate(Declaration message) => validator.Validate(message, time.Today());
}

internal sealed class SubmitDeclarationValidator(IValidator<Declaration> declaration) : IValidator<SubmitDeclaration>
{
    public IReadOnlyList<FieldError> Validate(SubmitDeclaration message) => declaration.Validate(message.Declaration);
}

internal sealed class SubmitDeclarationHandler(
    AccountPersons persons, IHealthCodeStore store, IFactStore facts, RiskScorer scorer, ICodeStatusFeed statusFeed, TimeProvider time)
    : ICommandHandler<SubmitDeclaration, Result<DeclarationAccepted>>
{
    public async ValueTask<Result<DeclarationAccepted>> Handle(SubmitDeclaration command, CancellationToken cancellationToken)
    {
        var declaration = command.Declaration;
        var target = await persons.TargetAsync(command.ResidentId, command.PersonId, declaration.IdNumber!, declaration.Name!, cancellationToken);
        if (target.Problem is { } refused)
        {
            return refused;
        }

        var person = target.Value!;
        var now = time.GetUtcNow();
        var today = time.Today();
        var past = person.PersonId is null ? [] : await store.GetDeclarationHistoryAsync(person.PersonId, cancellationToken);
        var history = new ResidentHistory([.. past.Select(p => new PastDeclaration(p.Date, p.RawColor, p.NegativeTest))]);
        // What the departments hold about the person counts from their first declaration on (DESIGN §9).
        var scoringFacts = await facts.ScoringFactsAsync(person.PersonId, cancellationToken);
        var assessment = scorer.Score(declaration, today, history, scoringFacts, today);

        var saved = await store.SaveDeclarationAsync(person, new NewDeclaration(
            now,
            today,
            JsonSerializer.Serialize(declaration, StrictJson.Options),
            assessment.RawColor,
            assessment.Color,
            // Only a test sampled today counts as today's test; an old one declared again does not (DESIGN §6).
            declaration.LastTest is { Result: "negative", At: { } at } && ChinaTime.DateOf(at) == today,
            JsonSerializer.Serialize(assessment.Reasons, StrictJson.Options),
            assessment.GreenAfter,
            assessment.PolicyVersion,
            IdNumber.MaskName(person.FullName),
            IdNumber.Tail(person.IdNumber)),
            person.PersonId is { } known ? ScoringUses.Of(known, scoringFacts.Person) : [],
            cancellationToken);
        if (saved.Code is not { } code)
        {
            // Another phone took this person between the check and the write.
            return IdentityProblems.From(saved.Refused!, declaration.IdNumber, declaration.Name);
        }

        if (person.BindAsHolder)
        {
            await persons.RecordIdentityCheckAsync(saved.PersonId!, person.IdNumber, person.FullName, "resident", cancellationToken);
        }

        await statusFeed.PublishAsync(code.CodeId, code.StatusVersion);
        return new DeclarationAccepted(saved.PersonId!, code.CodeId, code.Color, assessment.Reasons, code.StatusVersion, code.GreenAfter);
    }
}

internal static class SubmitDeclarationEndpoint
{
    public static void MapSubmitDeclaration(this RouteGroupBuilder group) => group
        .MapPost("/declarations", async Task<Results<Created<DeclarationAccepted>, ProblemHttpResult>> (
            JsonBody<Declaration> body, string? personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new SubmitDeclaration(context.User.ResidentId(), personId, body.Value!), ct)
                    .Answer(accepted => TypedResults.Created("/api/v1/me/code", accepted)))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Accepts<Declaration>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .WithName("SubmitDeclaration")
        .WithSummary("Submit today's declaration, for the account's holder or a family member")
        .WithDescription("Validates every field (each invalid one is named in 'errors'), scores the declaration with the province's risk policy and the person's history, and updates the person's code. Without personId the declaration is for the account's holder, fixed by its first accepted declaration; with personId, for one of the account's family members (GET /api/v1/me/dependants). 409 identity_mismatch names each field that differs from that person; 409 identity_bound_elsewhere means another phone (heldBy, masked) holds the ID number.");
}
