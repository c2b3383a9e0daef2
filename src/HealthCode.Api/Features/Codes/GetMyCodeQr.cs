using System.Globalization;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Qr;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Tokens;

namespace HealthCode.Api.Features.Codes;

/// <summary>
/// <c>GET /api/v1/me/code/qr?format=png|svg|text|print[&amp;personId=]</c>: a freshly signed token for the
/// current code of the account's holder or of a family member (DESIGN §4.1, §8). Every call signs anew,
/// so a screenshot goes stale in minutes. <c>print</c> is a family member's printable card: a token
/// that lives <c>HealthCode:Codes:PrintedLifetime</c> (7 days), which a colour change still makes stale.
/// </summary>
internal sealed record GetMyCodeQr(string ResidentId, string? PersonId, bool Printed) : IQuery<Result<SignedCode>>;

/// <param name="QrText">The exact text the QR holds.</param>
/// <param name="CodeUpdatedAt">When the code record (colour, reasons, green-after date) last changed.</param>
internal sealed record SignedCode(string QrText, HealthCodeClaims Claims, DateTimeOffset CodeUpdatedAt)
{
    public DateTimeOffset ExpiresAt => Claims.ExpiresAt;
}

internal sealed class GetMyCodeQrHandler(AccountPersons persons, IHealthCodeStore store, IssuingKeys keys, IOptions<HealthCodeOptions> options, TimeProvider time)
    : IQueryHandler<GetMyCodeQr, Result<SignedCode>>
{
    public static readonly ApiProblem PrintDependantsOnly = new(
        StatusCodes.Status400BadRequest, "print_dependants_only", "Only a family member's code can be printed.",
        "A printed code lives for days; the account's holder shows the live code on their phone. Choose a family member (personId).",
        [new FieldError("personId", "print_dependants_only", "Choose a family member to print their code.")]);

    public async ValueTask<Result<SignedCode>> Handle(GetMyCodeQr query, CancellationToken cancellationToken)
    {
        var found = await persons.FindAsync(query.ResidentId, query.PersonId, CodeProblems.NoDeclaration, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        if (query.Printed && found.Value!.Role != PersonRole.Dependant)
        {
            return PrintDependantsOnly;
        }

        var code = await store.FindCodeAsync(found.Value!.Id, cancellationToken);
        if (code is null)
        {
            return CodeProblems.NoDeclaration;
        }

        // JWT NumericDate has whole seconds (RFC 7519 §2); truncate so the answer matches the token.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var settings = options.Value;
        var claims = new HealthCodeClaims(
            settings.Province.Code,
            code.CodeId,
            now,
            now + (query.Printed ? settings.Codes.PrintedLifetime : settings.Codes.TokenLifetime),
            code.Color,
            code.MaskedName,
            code.IdTail,
            code.StatusVersion);
        return new SignedCode(keys.Signer.SignQr(claims), claims, code.UpdatedAt);
    }
}

internal static class GetMyCodeQrEndpoint
{
    public const string ExpiresHeader = "X-HealthCode-Expires-At";

    /// <summary>
    /// When the code record last changed. The resident page refreshes with <c>format=text</c> alone and reads
    /// <c>GET /me/code</c> (reasons, green-after date) only when this moves, so a refresh costs one signature.
    /// </summary>
    public const string CodeUpdatedHeader = "X-HealthCode-Code-Updated-At";

    public static void MapGetMyCodeQr(this RouteGroupBuilder group) => group
        .MapGet("/me/code/qr", async Task<Results<FileContentHttpResult, ContentHttpResult, ProblemHttpResult>> (
            string? format, string? personId, HttpContext context, IMediator mediator, IOptions<HealthCodeOptions> options, CancellationToken ct) =>
        {
            format ??= "png";
            if (format is not ("png" or "svg" or "text" or "print"))
            {
                return new ApiProblem(StatusCodes.Status400BadRequest, "format_invalid", "Ask for format=png, svg, text or print.",
                    Errors: [new FieldError("format", "format_invalid", "Use png, svg, text or print.")]).ToResult();
            }

            var result = await mediator.Send(new GetMyCodeQr(context.User.ResidentId(), personId, format == "print"), ct);
            if (result.Problem is { } problem)
            {
                return problem.ToResult();
            }

            var signed = result.Value!;
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers[ExpiresHeader] = signed.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            context.Response.Headers[CodeUpdatedHeader] = signed.CodeUpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            return format switch
            {
                "svg" => TypedResults.Content(QrRenderer.Svg(signed.QrText), "image/svg+xml"),
                "text" => TypedResults.Text(signed.QrText, "text/plain"),
                "print" => TypedResults.Content(PrintedCodePage.Html(new PrintedCodePage.Card(
                    signed.QrText, signed.Claims.Color, signed.Claims.MaskedName, signed.Claims.IdTail, options.Value.Province.Name, signed.ExpiresAt)),
                    "text/html; charset=utf-8"),
                _ => TypedResults.File(QrRenderer.Png(signed.QrText), "image/png"),
            };
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/svg+xml", "text/plain", "text/html"])
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetMyCodeQr")
        .WithSummary("A code as a freshly signed QR, or a family member's printable card")
        .WithDescription("format=png (default), svg, text (the exact QR text) or print (a family member's printable page: a token valid for HealthCode:Codes:PrintedLifetime, 7 days by default, until the colour changes). personId selects a family member; without it, the account's holder. The X-HealthCode-Expires-At header says when the token expires; X-HealthCode-Code-Updated-At when the code record (colour, reasons) last changed, the updatedAt of GET /api/v1/me/code.");
}
