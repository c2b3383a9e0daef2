using System.Reflection;
using HealthCode.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace HealthCode.Api.Tests.Fuzz;

/// <summary>Who sends a request. The fuzzer puts the real credential in at send time, so a case is the same on every run.</summary>
internal enum FuzzRole
{
    Anonymous,
    Resident,
    Staff,
    Operator,
}

/// <summary>A query parameter an endpoint binds, by name and CLR type.</summary>
internal sealed record FuzzQueryParameter(string Name, Type Type);

/// <summary>
/// One method and route as the running app maps it (read from its <see cref="EndpointDataSource"/>, so an endpoint
/// added later is fuzzed without anyone listing it here): who may call it, what body it declares and which query
/// parameters it binds.
/// </summary>
internal sealed record FuzzEndpoint(
    string Method,
    RoutePattern Route,
    FuzzRole Role,
    Type? BodyType,
    string? BodyContentType,
    IReadOnlyList<FuzzQueryParameter> Query)
{
    /// <summary>Endpoints without method metadata (health checks) answer any method: these are tried.</summary>
    private static readonly string[] AnyMethod = ["GET", "POST", "DELETE"];

    public string Name => $"{Method} {Route.RawText}";

    public static IReadOnlyList<FuzzEndpoint> All(IServiceProvider services)
    {
        var found = new List<FuzzEndpoint>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var metadata = endpoint.Metadata;
            var routeNames = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var accepts = metadata.GetMetadata<IAcceptsMetadata>();
            var query = metadata.OfType<IParameterBindingMetadata>()
                .Where(p => !routeNames.Contains(p.Name) && !p.HasBindAsync && (p.HasTryParse || p.ParameterInfo.ParameterType == typeof(string)))
                .Select(p => new FuzzQueryParameter(p.Name, p.ParameterInfo.ParameterType))
                .ToArray();
            var role = RoleOf(metadata.GetOrderedMetadata<IAuthorizeData>());
            foreach (var method in metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? AnyMethod)
            {
                found.Add(new FuzzEndpoint(method, endpoint.RoutePattern, role, accepts?.RequestType, accepts is { ContentTypes.Count: > 0 } ? accepts.ContentTypes[0] : null, query));
            }
        }

        // A fixed order: the same seed picks the same endpoints on every run.
        return [.. found.OrderBy(e => e.Route.RawText, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The innermost policy names the scheme (the admin group's operator policy, a use case's own). Every operator policy
    /// (a role, or any operator) is the operator's: the fuzzer sends the bootstrap key, an admin.
    /// </summary>
    private static FuzzRole RoleOf(IEnumerable<IAuthorizeData> policies) =>
        policies.Select(p => p.Policy).LastOrDefault(p => p is not null) switch
        {
            ResidentSessionAuthentication.SchemeName => FuzzRole.Resident,
            StaffAuthentication.SchemeName => FuzzRole.Staff,
            { } policy when OperatorPolicies.Roles.ContainsKey(policy) => FuzzRole.Operator,
            _ => FuzzRole.Anonymous,
        };

    /// <summary>The path with each route parameter replaced by <paramref name="value"/> of its name (already percent-encoded).</summary>
    public string Fill(Func<string, string> value)
    {
        var path = new System.Text.StringBuilder();
        foreach (var segment in Route.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter => value(parameter.Name),
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    /// <summary>The body type's JSON member names, for random bodies that still look like this endpoint's.</summary>
    public IReadOnlyList<string> MemberNames() => BodyType is null
        ? []
        : [.. BodyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))];
}
