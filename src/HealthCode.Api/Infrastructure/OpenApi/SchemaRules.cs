using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using HealthCode.Api.Features.Catalog;
using HealthCode.Api.Features.Codes;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Disputes;
using HealthCode.Api.Features.Hub;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Features.Keys;
using HealthCode.Api.Features.Operators;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust;
using HealthCode.Trust.Status;
using HealthCode.Trust.Verification;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.OpenApi;

/// <summary>
/// What the schemas of the records cannot say by their .NET types: the closed sets that travel as strings (colours,
/// reason codes, the verdict's error codes of DESIGN §5, states, the <c>format</c> query parameter, ...), each taken from
/// the code's own list where it has one; members that may be absent or null are not <c>required</c>; and numbers are
/// numbers (the framework's web defaults would also accept "12" as a string, which the service neither writes nor, with
/// <see cref="StrictJson"/>, reads).
/// </summary>
internal sealed class SchemaRules : IOpenApiSchemaTransformer, IOpenApiOperationTransformer
{
    private static readonly string[] Colors = [.. Enum.GetValues<CodeColor>().Select(c => JsonNamingPolicy.CamelCase.ConvertName(c.ToString()))];

    private static readonly string[] Relations = ["holder", "dependant"];

    /// <summary>The closed sets of string members, by the record that declares them and the member's JSON name.</summary>
    private static readonly Dictionary<(Type Record, string Member), IReadOnlyList<string>> Members = new()
    {
        [(typeof(Verdict), "color")] = Colors,
        [(typeof(Verdict), "source")] = [Verdict.LocalSource, Verdict.PartnerSource],
        [(typeof(VerdictError), "code")] = [.. Enum.GetValues<VerificationError>().Select(e => e.ToCode())],
        [(typeof(RiskReason), "code")] = RiskReasons.All,
        [(typeof(DraftField<>), "origin")] = [DraftOrigins.LastDeclaration, DraftOrigins.PopulationRegister, DraftOrigins.Lab, DraftOrigins.Account],
        [(typeof(DeclarationDraft), "relation")] = Relations,
        [(typeof(MyCode), "relation")] = Relations,
        [(typeof(DependantView), "color")] = Colors,
        [(typeof(Declaration), "symptoms")] = Symptoms.Vocabulary,
        [(typeof(TestDeclaration), "result")] = ["negative", "positive"],
        [(typeof(DisputeView), "state")] = DisputeStates.All,
        [(typeof(OverrideView), "state")] = OverrideStates.All,
        [(typeof(BatchAnswer), "status")] = BatchStates,
        [(typeof(BatchStatusView), "status")] = BatchStates,
        [(typeof(PartnerStatus), "source")] = [.. Enum.GetNames<PartnerSource>().Select(n => n.ToLowerInvariant())],
        [(typeof(CatalogSharing), "type")] = SharingTypes,
        [(typeof(CatalogSharingRequest), "type")] = SharingTypes,
        [(typeof(IssuerKeyView), "status")] = ["active", "retired", "revoked"],
        [(typeof(MyDataUseEntry), "purpose")] = DataUsePurposes.All,
        [(typeof(DataUseEntryView), "purpose")] = DataUsePurposes.All,
        [(typeof(DataUseCount), "purpose")] = DataUsePurposes.All,
        [(typeof(DataUsePerson), "relation")] = Relations,
        [(typeof(StatusAnswer), "color")] = Colors,
        [(typeof(ProposeOverrideRequest), "color")] = Colors,
        [(typeof(Verdict), "statusCheck")] = ["confirmed", "changed", "unavailable"],
        [(typeof(Verdict), "route")] = [Verdict.OwnRoute, Verdict.BilateralRoute, Verdict.HubRoute],
        [(typeof(LogPageView<>), "order")] = LogOrders,
        [(typeof(OperatorView), "state")] = ["active", "expired", "revoked"],
        [(typeof(HubMemberView), "status")] = HubMemberStates,
        [(typeof(UpsertHubMember), "status")] = HubMemberStates,
        [(typeof(BatchStatusView), "phase")] = ["checking", "applying", "rescoring"],
        [(typeof(CatalogEntryView), "kind")] = CatalogVocabulary.Kinds,
        [(typeof(CatalogEntryRequest), "kind")] = CatalogVocabulary.Kinds,
        [(typeof(DisputedFact), "kind")] = CatalogVocabulary.Kinds,
        [(typeof(CatalogSharing), "method")] = [CatalogVocabulary.MethodBatch],
        [(typeof(CatalogSharingRequest), "method")] = [CatalogVocabulary.MethodBatch],
    };

    /// <summary>The closed sets of query parameters, by the endpoint's name and the parameter's.</summary>
    private static readonly Dictionary<(string Endpoint, string Parameter), IReadOnlyList<string>> Parameters = new()
    {
        [("GetMyCodeQr", "format")] = ["png", "svg", "text", "print"],
        [("ListAudit", "order")] = LogOrders,
        [("ListDataUse", "order")] = LogOrders,
        [("ListOverrides", "state")] = OverrideStates.All,
        [("ListDisputeQueue", "state")] = DisputeStates.All,
        [("ListOfficePeople", "color")] = Colors,
    };

    private static string[] BatchStates => ["receiving", "applying", "applied", "rejected"];

    private static IReadOnlyList<string> SharingTypes => CatalogVocabulary.SharingTypes;

    /// <summary>A member of the federation (DESIGN §4.3): listed as active, or suspended (its codes are refused).</summary>
    private static string[] HubMemberStates => ["active", "suspended"];

    private static string[] LogOrders => ["asc", "desc"];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (context.JsonPropertyInfo is { } member && Members.TryGetValue((RecordOf(member.DeclaringType), member.Name), out var values))
        {
            Restrict(schema, values);
        }

        if (schema.Required is { Count: > 0 } required && schema.Properties is { } members)
        {
            // A member the service may leave null is one a client must not count on: optional, not required.
            foreach (var (name, _) in members.Where(p => AllowsNull(p.Value)))
            {
                required.Remove(name);
            }

            // A member of a record type (ContactDeclaration?) is still that type's own schema here, without its null.
            if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object)
            {
                foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.IsGetNullable || Nullable.GetUnderlyingType(p.PropertyType) is not null))
                {
                    required.Remove(property.Name);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName;
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (endpoint is not null && parameter.Name is not null && parameter.Schema is OpenApiSchema schema
                && Parameters.TryGetValue((endpoint, parameter.Name), out var values))
            {
                Restrict(schema, values);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Limits a string (or the items of an array of strings) to <paramref name="values"/>, and null when it may be null.</summary>
    private static void Restrict(OpenApiSchema schema, IReadOnlyList<string> values)
    {
        var target = schema.Type is { } type && type.HasFlag(JsonSchemaType.Array) && schema.Items is OpenApiSchema items ? items : schema;
        var nullable = target.Type is { } own && own.HasFlag(JsonSchemaType.Null);
        target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v)), .. nullable ? [null!] : Array.Empty<JsonNode>()];
    }

    private static bool AllowsNull(IOpenApiSchema schema) =>
        (schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
        || (schema.OneOf ?? []).Concat(schema.AnyOf ?? []).Any(s => s.Type is { } alternative && alternative.HasFlag(JsonSchemaType.Null));

    private static Type RecordOf(Type type) => type.IsGenericType ? type.GetGenericTypeDefinition() : type;
}
