using HealthCode.Api.Infrastructure.Federation;
using Microsoft.Net.Http.Headers;

namespace HealthCode.Api.Features.Federation;

/// <summary><c>GET /.well-known/healthcode/trust-list</c>: this province's signed list of issuer keys (DESIGN §4.2), with ETag.</summary>
internal static class TrustListEndpoint
{
    public const string MediaType = "application/jose";

    public static void MapTrustList(this IEndpointRouteBuilder app) => app
        .MapGet("/.well-known/healthcode/trust-list", Results<ContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> (HttpContext context, OwnTrustList list) =>
            Serve(context, list.Current))
        .WithTags("Federation")
        .Produces(StatusCodes.Status200OK, contentType: MediaType)
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithName("GetTrustList")
        .WithSummary("This province's signed trust list")
        .WithDescription("A compact JWS (typ hc-trust-list+jwt) signed by the province's root key. Send If-None-Match with the ETag to get 304 when nothing changed.");

    /// <summary>Serves a signed list with its ETag, or 304 when the client already holds it.</summary>
    public static Results<ContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Serve(HttpContext context, PublishedList? published)
    {
        if (published is null)
        {
            return new ApiProblem(StatusCodes.Status503ServiceUnavailable, "trust_list_unavailable",
                "No signed list is available yet.", "The root key is offline and no list has been signed: run 'healthcode trust-list sign'.").ToResult();
        }

        context.Response.Headers.ETag = published.ETag;
        context.Response.Headers.CacheControl = "public, max-age=60";
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0 && EntityTagHeaderValue.TryParseList([ifNoneMatch], out var tags) && tags.Any(t => t.Tag.Value == published.ETag || t.Equals(EntityTagHeaderValue.Any)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Content(published.Jws, MediaType);
    }
}
