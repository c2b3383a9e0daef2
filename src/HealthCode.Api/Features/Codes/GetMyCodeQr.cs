using System.Globalization;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Qr;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;
using HealthCode.Trust.Tokens;

namespace HealthCode.Api.Features.Codes;

/// <summary>
/// <c>GET /api/v1/me/code/qr?format=png|svg|text</c>: a freshly signed, short-lived token for the
/// resident's current code (DESIGN §4.1). Every call signs anew, so a screenshot goes stale in minutes.
/// </summary>
internal sealed record GetMyCodeQr(string ResidentId) : IQuery<Result<SignedCode>>;

/// <param name="QrText">The exact text the QR holds.</param>
internal sealed record SignedCode(string QrText, DateTimeOffset ExpiresAt);

internal sealed class GetMyCodeQrHandler(IHealthCodeStore store, IssuingKeys keys, IOptions<HealthCodeOptions> options, TimeProvider time)
    : IQueryHandler<GetMyCodeQr, Result<SignedCode>>
{
    public async ValueTask<Result<SignedCode>> Handle(GetMyCodeQr query, CancellationToken cancellationToken)
    {
        var code = await store.FindCodeAsync(query.ResidentId, cancellationToken);
        if (code is null)
        {
            return CodeProblems.NoDeclaration;
        }

        // JWT NumericDate has whole seconds (RFC 7519 §2); truncate so the answer matches the token.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var claims = new HealthCodeClaims(
            options.Value.Province.Code,
            code.CodeId,
            now,
            now + options.Value.Codes.TokenLifetime,
            code.Color,
            code.MaskedName,
            code.IdTail,
            code.StatusVersion);
        return new SignedCode(keys.Signer.SignQr(claims), claims.ExpiresAt);
    }
}

internal static class GetMyCodeQrEndpoint
{
    public const string ExpiresHeader = "X-HealthCode-Expires-At";

    public static void MapGetMyCodeQr(this RouteGroupBuilder group) => group
        .MapGet("/me/code/qr", async Task<Results<FileContentHttpResult, ContentHttpResult, ProblemHttpResult>> (
            string? format, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            format ??= "png";
            if (format is not ("png" or "svg" or "text"))
            {
                return new ApiProblem(StatusCodes.Status400BadRequest, "format_invalid", "Ask for format=png, svg or text.",
                    Errors: [new FieldError("format", "format_invalid", "Use png, svg or text.")]).ToResult();
            }

            var result = await mediator.Send(new GetMyCodeQr(context.User.ResidentId()), ct);
            if (result.Problem is { } problem)
            {
                return problem.ToResult();
            }

            var signed = result.Value!;
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers[ExpiresHeader] = signed.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            return format switch
            {
                "svg" => TypedResults.Content(QrRenderer.Svg(signed.QrText), "image/svg+xml"),
                "text" => TypedResults.Text(signed.QrText, "text/plain"),
                _ => TypedResults.File(QrRenderer.Png(signed.QrText), "image/png"),
            };
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/svg+xml", "text/plain"])
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetMyCodeQr")
        .WithSummary("The resident's code as a freshly signed QR")
        .WithDescription("format=png (default), svg, or text (the exact QR text). The X-HealthCode-Expires-At header says when the token expires; fetch a new one before then.");
}
