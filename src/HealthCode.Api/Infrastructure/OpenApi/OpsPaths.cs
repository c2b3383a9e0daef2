using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// <c>GET /healthz</c>, <c>GET /readyz</c> and <c>GET /metrics</c> (DESIGN §5, "ops"), written out here because the framework
/// cannot describe them: health checks and a metrics exporter are request-delegate endpoints, which carry no handler
/// signature for the API explorer. Each is added only when the service maps it (the hub and a province map different
/// sets) and not yet described, so an endpoint that later describes itself is not listed twice. All three are public:
/// the platform that runs the service calls them without a token.
/// </summary>
internal sealed class OpsPaths : IOpenApiDocumentTransformer
{
    public const string Tag = "Operations";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var mapped = context.ApplicationServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText?.TrimStart('/'))
            .ToHashSet(StringComparer.Ordinal);
        document.Paths ??= [];
        var added = false;
        foreach (var (path, operation) in Operations(document))
        {
            if (mapped.Contains(path.TrimStart('/')) && !document.Paths.ContainsKey(path))
            {
                document.Paths[path] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
                added = true;
            }
        }

        if (added)
        {
            document.Tags ??= new HashSet<OpenApiTag>();
            document.Tags.Add(new OpenApiTag { Name = Tag });
        }

        return Task.CompletedTask;
    }

    private static IEnumerable<(string Path, OpenApiOperation Operation)> Operations(OpenApiDocument document)
    {
        yield return ("/healthz", Operation(document, "GetLiveness", "Whether the process is alive",
            "Liveness: 200 Healthy while the process answers; it checks nothing else, so a restart is the only remedy for no answer.",
            new() { ["200"] = Text("The process is alive.", "Healthy") }));
        yield return ("/readyz", Operation(document, "GetReadiness", "Whether the service can serve, and why not",
            "Readiness: the store, and in a province the shared cache and the trust lists. status is healthy or degraded (200: keep sending traffic) "
            + "or unhealthy (503); checks gives each check's status, details the description and data of each check that is not healthy.",
            new()
            {
                ["200"] = Json("Healthy or degraded.", Readiness()),
                ["503"] = Json("Unhealthy: take the instance out of rotation.", Readiness()),
            }));
        yield return ("/metrics", Operation(document, "GetMetrics", "Prometheus metrics",
            "The Prometheus text exposition format (text/plain; version=0.0.4): what the instance counts and measures (in a province scans by "
            + "outcome, trust lists' age and seq per issuer, partners, the shared cache; in the hub its own). A scraper that asks for "
            + "OpenMetrics may get it where the exporter offers it. Labels never carry a name, an ID number or a code id.",
            new() { ["200"] = Text("The metrics.", "# HELP healthcode_scans_total Codes verified at checkpoints, by outcome.") }));
    }

    private static OpenApiOperation Operation(OpenApiDocument document, string id, string summary, string description, OpenApiResponses responses)
    {
        // The request target check (RequestTargetEncoding) runs before routing, for these endpoints too.
        responses["400"] = new OpenApiResponse
        {
            Description = "The request target has percent-escapes that are not UTF-8 (code invalid_utf8).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemAnswers.MediaType] = new() { Schema = new OpenApiSchemaReference(ProblemAnswers.ProblemSchema, document) },
            },
        };
        return new OpenApiOperation
        {
            OperationId = id,
            Summary = summary,
            Description = description,
            Tags = new HashSet<OpenApiTagReference> { new(Tag, document) },
            Responses = responses,
            Security = [],
        };
    }

    private static OpenApiResponse Text(string description, string example) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(example) },
        },
    };

    private static OpenApiResponse Json(string description, OpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
    };

    private static OpenApiSchema Readiness()
    {
        var status = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [JsonValue.Create("healthy"), JsonValue.Create("degraded"), JsonValue.Create("unhealthy")],
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = status,
                ["checks"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Each check (store, sharedCache, trustLists, ...) and its status.",
                    AdditionalProperties = status,
                },
                ["details"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Each check that is not healthy: why, in its own words, and its data.",
                    AdditionalProperties = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                            ["data"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null },
                        },
                    },
                },
            },
        };
    }
}
