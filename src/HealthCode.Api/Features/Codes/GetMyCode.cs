using System.Text.Json;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Codes;

/// <summary>
/// <c>GET /api/v1/me/code[?personId=]</c>: the current colour of the account's holder (or of one of its
/// family members), why, and when it turns green.
/// </summary>
internal sealed record GetMyCode(string ResidentId, string? PersonId) : IQuery<Result<MyCode>>;

/// <param name="Relation"><c>holder</c> or <c>dependant</c>: whose code this is on the account.</param>
internal sealed record MyCode(
    string PersonId,
    string Relation,
    string MaskedName,
    string IdTail,
    string CodeId,
    CodeColor Color,
    IReadOnlyList<RiskReason> Reasons,
    DateTimeOffset UpdatedAt,
    DateOnly? GreenAfter,
    int StatusVersion);

internal sealed class GetMyCodeHandler(AccountPersons persons, IHealthCodeStore store) : IQueryHandler<GetMyCode, Result<MyCode>>
{
    public async ValueTask<Result<MyCode>> Handle(GetMyCode query, CancellationToken cancellationToken)
    {
        var found = await persons.FindAsync(query.ResidentId, query.PersonId, CodeProblems.NoDeclaration, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var person = found.Value!;
        var code = await store.FindCodeAsync(person.Id, cancellationToken);
        return code is null
            ? CodeProblems.NoDeclaration
            : new MyCode(
                person.Id,
                person.Role == PersonRole.Dependant ? "dependant" : "holder",
                code.MaskedName,
                code.IdTail,
                code.CodeId,
                code.Color,
                JsonSerializer.Deserialize<RiskReason[]>(code.ReasonsJson, StrictJson.Options) ?? [],
                code.UpdatedAt,
                code.GreenAfter,
                code.StatusVersion);
    }
}

internal static class CodeProblems
{
    public static readonly ApiProblem NoDeclaration = ApiProblem.NotFound(
        "no_declaration", "There is no health code yet. Submit a declaration first.");
}

internal static class GetMyCodeEndpoint
{
    public static void MapGetMyCode(this RouteGroupBuilder group) => group
        .MapGet("/me/code", (string? personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new GetMyCode(context.User.ResidentId(), personId), ct).Answer(TypedResults.Ok))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetMyCode")
        .WithSummary("The current code of the account's holder or of a family member")
        .WithDescription("Colour, reasons in zh-CN and en, last update and, for yellow and red, the date it turns green (greenAfter), with the person's masked name and ID tail. personId (from GET /api/v1/me/dependants) selects a family member; without it, the holder.");
}
