using System.Text.Json;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Declarations;

/// <summary><c>POST /api/v1/declarations</c>: a resident declares; the policy scores it; the code is updated.</summary>
internal sealed record SubmitDeclaration(string ResidentId, Declaration Declaration) : ICommand<Result<DeclarationAccepted>>;

internal sealed record DeclarationAccepted(string CodeId, CodeColor Color, IReadOnlyList<RiskReason> Reasons, int StatusVersion, DateOnly? GreenAfter);

/// <summary>The declaration's rules on today's date; JsonBody also runs them beside a body's type errors, so both come in one answer.</summary>
internal sealed class DeclarationBodyValidator(DeclarationValidator validator, TimeProvider time) : IValidator<Declaration>
{
    public IReadOnlyList<FieldError> Validate(Declaration message) => validator.Validate(message, time.Today());
}

internal sealed class SubmitDeclarationValidator(IValidator<Declaration> declaration) : IValidator<SubmitDeclaration>
{
    public IReadOnlyList<FieldError> Validate(SubmitDeclaration message) => declaration.Validate(message.Declaration);
}

internal sealed class SubmitDeclarationHandler(IHealthCodeStore store, RiskScorer scorer, ICodeStatusFeed statusFeed, TimeProvider time)
    : ICommandHandler<SubmitDeclaration, Result<DeclarationAccepted>>
{
    public async ValueTask<Result<DeclarationAccepted>> Handle(SubmitDeclaration command, CancellationToken cancellationToken)
    {
        var declaration = command.Declaration;
        var now = time.GetUtcNow();
        var today = time.Today();
        var past = await store.GetDeclarationHistoryAsync(command.ResidentId, cancellationToken);
        var history = new ResidentHistory([.. past.Select(p => new PastDeclaration(p.Date, p.RawColor, p.NegativeTest))]);
        var assessment = scorer.Score(declaration, history, today);

        var code = await store.SaveDeclarationAsync(command.ResidentId, new NewDeclaration(
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
            IdNumber.MaskName(declaration.Name!),
            IdNumber.Tail(declaration.IdNumber!),
            declaration.IdNumber!.ToUpperInvariant(),
            declaration.Name!.Trim()), cancellationToken);
        await statusFeed.PublishAsync(code.CodeId, code.StatusVersion);

        return new DeclarationAccepted(code.CodeId, code.Color, assessment.Reasons, code.StatusVersion, code.GreenAfter);
    }
}

internal static class SubmitDeclarationEndpoint
{
    public static void MapSubmitDeclaration(this RouteGroupBuilder group) => group
        .MapPost("/declarations", async Task<Results<Created<DeclarationAccepted>, ProblemHttpResult>> (
            JsonBody<Declaration> body, HttpContext context, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new SubmitDeclaration(context.User.ResidentId(), body.Value!), ct)
                    .Answer(accepted => TypedResults.Created("/api/v1/me/code", accepted)))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Accepts<Declaration>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .WithName("SubmitDeclaration")
        .WithSummary("Submit today's self-declaration")
        .WithDescription("Validates every field (each invalid one is named in 'errors'), scores the declaration with the province's risk policy and updates the resident's code.");
}
