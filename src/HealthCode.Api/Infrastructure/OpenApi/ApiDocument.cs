using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> (DESIGN §5): the framework describes each endpoint from its metadata
/// (typed results, <c>Produces</c>, <c>Accepts</c>, tags, names); these transformers add what metadata cannot say: who may
/// call (<see cref="ApiSecurity"/>), the problem answers (<see cref="ProblemAnswers"/>), the media types of answers that
/// are not JSON (<see cref="AnswerMediaTypes"/>), the closed sets and optional members of the schemas
/// (<see cref="SchemaRules"/>) and the operational endpoints that are not minimal API endpoints (<see cref="OpsPaths"/>).
/// The document is linted by <c>redocly lint</c> in the tests (tools/openapi).
/// </summary>
internal static class ApiDocument
{
    /// <summary>What each tag groups, for readers of the document.</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Resident login"] = "A one-time code by SMS, then a resident session token (DESIGN §5).",
        ["Resident"] = "A resident's declarations, codes, family members, disputes and data-use log (DESIGN §5, §8, §10).",
        ["Checkpoint staff"] = "Scanning codes and looking residents up by ID card, with a staff token (DESIGN §5).",
        ["Operators"] = "Operators' administration: operators, staff, partners, keys, departments, catalogue, audit, disputes and overrides (DESIGN §10).",
        ["Departments"] = "Departments' batches of shared data and how their data was used (DESIGN §9, §10).",
        ["Sharing catalogue"] = "The public catalogue of shared data (政务信息资源目录, DESIGN §9).",
        ["Grassroots offices"] = "Counts of codes by colour and the people to follow up in an office's area (DESIGN §10).",
        ["Federation"] = "Signed lists and status checks between provinces and the hub (DESIGN §4).",
        ["Operations"] = "Liveness, readiness and Prometheus metrics, for the platform that runs the service.",
    };

    public static OpenApiOptions AddHealthCodeDocument(this OpenApiOptions options) => options
        .AddSchemaTransformer<SchemaRules>()
        .AddOperationTransformer<ApiSecurity>()
        .AddOperationTransformer<AnswerMediaTypes>()
        .AddOperationTransformer<ProblemAnswers>()
        .AddOperationTransformer<SchemaRules>()
        .AddDocumentTransformer<OpsPaths>()
        .AddDocumentTransformer<ApiSecurity>()
        .AddDocumentTransformer<ProblemAnswers>()
        .AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "HealthCode API";
            document.Info.Description = "A province's health-code service: resident declarations and codes, checkpoint verification, "
                + "shared data, accountability and federation (DESIGN §5). In hub mode, the national hub's member registry and federation list.";
            // The server as the request reached it, without the trailing slash: paths start with one (OpenAPI 3.1 §4.8.5).
            foreach (var server in document.Servers ?? [])
            {
                if (server.Url is { Length: > 1 } url)
                {
                    server.Url = url.TrimEnd('/');
                }
            }

            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var tag in document.Tags.Where(t => t.Name is not null && TagDescriptions.ContainsKey(t.Name)))
            {
                tag.Description = TagDescriptions[tag.Name!];
            }

            return Task.CompletedTask;
        });
}
