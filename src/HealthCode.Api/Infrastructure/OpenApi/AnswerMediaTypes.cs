using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// The media types of answers that carry no .NET type: an endpoint declares them with <c>Produces(status, contentType)</c>
/// (a signed list as <c>application/jose</c>, a QR as <c>image/png</c>, <c>image/svg+xml</c>, <c>text/plain</c> or
/// <c>text/html</c>), and the framework drops a media type that has no schema to go with it. Each comes back here, with
/// the schema its bytes have: text as a string, an image as binary content (OpenAPI 3.1 §4.8.14.3: contentMediaType).
/// </summary>
internal sealed class AnswerMediaTypes : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var produces in context.Description.ActionDescriptor.EndpointMetadata.OfType<IProducesResponseTypeMetadata>())
        {
            var key = produces.StatusCode.ToString(CultureInfo.InvariantCulture);
            if (operation.Responses?.GetValueOrDefault(key) is not OpenApiResponse response)
            {
                continue;
            }

            foreach (var mediaType in produces.ContentTypes.Where(t => !t.EndsWith("json", StringComparison.Ordinal)))
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content.TryAdd(mediaType, new OpenApiMediaType { Schema = SchemaOf(mediaType) });
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The schema of a body of <paramref name="mediaType"/>: text for text and for compact JWS, else binary.</summary>
    public static OpenApiSchema SchemaOf(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType is "application/jose" or "image/svg+xml" or "application/x-ndjson"
            ? new OpenApiSchema { Type = JsonSchemaType.String }
            : new OpenApiSchema { Type = JsonSchemaType.String, ContentMediaType = mediaType };
}
