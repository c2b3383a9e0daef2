using System.Text;
using System.Text.Unicode;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Status;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// <c>POST /api/v1/partner/status</c> (body: a signed status request, <c>application/jose</c>):
/// a partner that scanned one of our codes asks for its current status. The request must be
/// signed by a key in the asker's trust list, which we hold because the asker is our partner; so
/// only partners learn anything, and only the colour and status version of a code they scanned.
/// </summary>
internal static class PartnerStatusEndpoint
{
    private const int MaxRequestLength = 4096;

    public static void MapPartnerStatus(this IEndpointRouteBuilder app) => app
        .MapPost("/api/v1/partner/status", async Task<Results<Ok<StatusAnswer>, ProblemHttpResult>> (
            HttpRequest request, TrustStore trust, IHealthCodeStore store, StatusRequestNonces nonces, IOptions<HealthCodeOptions> options,
            TimeProvider time, CancellationToken ct) =>
        {
            var (body, unreadable) = await BufferedBody.ReadAsync(request.HttpContext, MaxRequestLength);
            string jws;
            using (body)
            {
                if (unreadable is not null || !Utf8.IsValid(body.Span))
                {
                    return (unreadable ?? RequestProblems.InvalidUtf8("A status request is a compact JWS: ASCII text.")).ToResult();
                }

                jws = Encoding.UTF8.GetString(body.Span).Trim();
            }

            var settings = options.Value;
            var verified = StatusRequestCodec.Verify(jws, trust, settings.Province.Code, time.GetUtcNow(), settings.Trust.ClockSkew);
            if (!verified.IsValid)
            {
                return new ApiProblem(StatusCodes.Status401Unauthorized, "status_request_" + verified.Error!.Value.ToCode(),
                    "The status request is not signed by a key of a partner we trust.").ToResult();
            }

            if (!await nonces.TryUseAsync(verified.Request!))
            {
                return new ApiProblem(StatusCodes.Status401Unauthorized, "status_request_replayed",
                    "This status request was already answered: sign a new one, with a new jti, for each question.").ToResult();
            }

            var code = await store.FindCodeByIdAsync(verified.Request.Sub, ct);
            return code is null
                ? ApiProblem.NotFound("code_not_found", "No code has this id.").ToResult()
                : TypedResults.Ok(new StatusAnswer(code.CodeId, code.Color.ToString().ToLowerInvariant(), code.StatusVersion, code.UpdatedAt));
        })
        .WithTags("Federation")
        .Accepts<string>("application/jose")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .WithName("PartnerStatus")
        .WithSummary("Current status of one of our codes, for a partner that scanned it")
        .WithDescription("The body is a compact JWS (typ hc-status-request+jwt) signed by the asking province's issuer key, with aud = our province code and sub = the code id. Each request is answered once: a replay (the same jti while the request lives) gets 401 status_request_replayed.");
}
