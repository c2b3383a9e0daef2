using System.Text.Json;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;

namespace HealthCode.Api.Features.Codes;

/// <summary><c>GET /api/v1/me/code</c>: the resident's current colour, why, and when it turns green.</summary>
internal sealed record GetMyCode(string ResidentId) : IQuery<Result<MyCode>>;

internal sealed record MyCode(string CodeId, CodeColor Color, IReadOnlyList<RiskReason> Reasons, DateTimeOffset UpdatedAt, DateOnly? GreenAfter, int StatusVersion);

internal sealed class GetMyCodeHandler(IHealthCodeStore store) : IQueryHandler<GetMyCode, Result<MyCode>>
{
    public async ValueTask<Result<MyCode>> Handle(GetMyCode query, CancellationToken cancellationToken)
    {
        var code = await store.FindCodeAsync(query.ResidentId, cancellationToken);
        return code is null
            ? CodeProblems.NoDeclaration
            : new MyCode(
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
        "no_declaration", "You have no health code yet. Submit a declaration first.");
}

internal static class GetMyCodeEndpoint
{
    public static void MapGetMyCode(this RouteGroupBuilder group) => group
        .MapGet("/me/code", (HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new GetMyCode(context.User.ResidentId()), ct).Answer(TypedResults.Ok))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("GetMyCode")
        .WithSummary("The resident's current code")
        .WithDescription("Colour, reasons in zh-CN and en, last update and, for yellow and red, the date it turns green (greenAfter).");
}
