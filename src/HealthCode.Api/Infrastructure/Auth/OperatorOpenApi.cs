using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// The operator scheme in the OpenAPI document: an HTTP bearer scheme (RFC 6750; the configured key or a named
/// operator's token), required by every operation behind an operator policy, whose description then names the roles
/// that may call it.
/// </summary>
internal static class OperatorOpenApi
{
    public const string SchemeName = "operator";

    public static OpenApiOptions AddOperatorSecurity(this OpenApiOptions options) => options
        .AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "HealthCode:Admin:ApiKey (bootstrap: role admin), or a named operator's token from POST /api/v1/admin/operators (DESIGN §10).",
            };
            return Task.CompletedTask;
        })
        .AddOperationTransformer((operation, context, _) =>
        {
            var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
                .Select(a => a.Policy)
                .OfType<string>()
                .Where(OperatorPolicies.Roles.ContainsKey)
                .ToList();
            if (policies.Count == 0)
            {
                return Task.CompletedTask;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
            var roles = policies.Select(p => OperatorPolicies.Roles[p]).Where(r => r.Length > 0).ToList();
            var who = roles.Count == 0
                ? "any operator."
                : string.Join(", and ", roles.Select(r => "role " + string.Join(" or ", r))) + " (another operator is answered 403 role_required).";
            operation.Description = $"{operation.Description}\n\nOperators: {who}".TrimStart();
            return Task.CompletedTask;
        });
}
