using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// The problem answers (RFC 9457, DESIGN §5): one <c>Problem</c> schema with the stable <c>code</c> and the invalid
/// fields under <c>errors</c> (<see cref="ApiProblem"/>, <see cref="FieldError"/>), referenced by every
/// <c>application/problem+json</c> answer in place of the framework's bare ProblemDetails; and the answers every
/// operation can get whatever its endpoint declares: 400 <c>invalid_utf8</c> for a request target whose escapes are not
/// UTF-8 (<see cref="RequestTargetEncoding"/>, before routing), 401 where a token is required, 403 <c>role_required</c>
/// where a role is, 503 <c>store_unavailable</c> where a token is (<see cref="Store.StoreUnavailable"/>).
/// </summary>
internal sealed class ProblemAnswers : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    public const string ProblemSchema = "Problem";
    public const string FieldErrorSchema = "FieldError";
    public const string MediaType = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        Ensure(operation, StatusCodes.Status400BadRequest, "The request is invalid; code says why (invalid_utf8 for a request target whose percent-escapes are not UTF-8, validation_failed with errors naming each field).", context.Document);
        if (operation.Security is { Count: > 0 } security)
        {
            Ensure(operation, StatusCodes.Status401Unauthorized, "The token is missing, invalid, expired or revoked; code says which (e.g. session_expired, staff_token_revoked, operator_key_invalid).", context.Document);
            if (security.Any(r => r.Values.Any(roles => roles.Count > 0)))
            {
                Ensure(operation, StatusCodes.Status403Forbidden, "The operator lacks the role this needs: code role_required, roles lists the roles that would do.", context.Document);
            }

            // Every token is checked against the store (a staff token seen before excepted): with PostgreSQL down, 503.
            Ensure(operation, StatusCodes.Status503ServiceUnavailable, "The store (PostgreSQL) does not answer: code store_unavailable, with Retry-After; nothing was changed. Scans of codes by staff tokens this instance has seen go on. Other codes (audit_unavailable, rate_limit_unavailable) where the operation says so.", context.Document);
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[FieldErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "One invalid field of a request.",
            Required = new HashSet<string> { "field", "code", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["field"] = Text("The field as a camelCase JSON path (travel[0].from), a query parameter, or empty for the body as a whole."),
                ["code"] = Code("The field's own stable code, e.g. id_number_invalid_checksum."),
                ["message"] = Text("What is wrong with the field and what to send instead."),
            },
        };
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details with the stable code of DESIGN §5. Further members a client acts on may come with some codes "
                + "(roles with role_required, maskedPhone when a person is held by another phone).",
            Required = new HashSet<string> { "title", "status", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI reference naming the kind of problem (RFC 9457 §3.1.1)."),
                ["title"] = Text("A short English sentence: what happened."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = Text("What to do about it, or every invalid field in one sentence."),
                ["instance"] = Text("A URI reference naming this occurrence."),
                ["traceId"] = Text("The request's trace, to quote to an operator."),
                ["code"] = Code("The stable snake_case code a client branches on, e.g. validation_failed, session_expired, role_required, rate_limited, store_unavailable."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Description = "Each invalid field, with validation_failed and the other codes that name fields.",
                    Items = new OpenApiSchemaReference(FieldErrorSchema, document),
                },
            },
        };

        // Every problem answer, the framework's ProducesProblem ones too, refers to this schema.
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>())
            {
                if (response.Content?.TryGetValue(MediaType, out var content) == true)
                {
                    content.Schema = new OpenApiSchemaReference(ProblemSchema, document);
                }
            }
        }

        document.Components.Schemas.Remove("ProblemDetails");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        return Task.CompletedTask;
    }

    private static void Ensure(OpenApiOperation operation, int status, string description, OpenApiDocument? document)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [MediaType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) } },
        };
    }

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Code(string description) => new()
    {
        Type = JsonSchemaType.String,
        Pattern = "^[a-z][a-z0-9_]*$",
        Description = description,
        Examples = [JsonValue.Create("validation_failed")],
    };
}
