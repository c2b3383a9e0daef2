using System.Globalization;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// Writes every operator action to the audit chain under the operator's name (DESIGN §10 "Named operators"): on a group
/// of operator endpoints, each request that may change something (any method but GET, HEAD and OPTIONS) and succeeded
/// (2xx) becomes an entry: <c>action</c> the endpoint's name (else <c>METHOD route</c>), <c>target</c> the route's
/// values (else, for a 201, the created resource's id from its location), <c>outcome</c> the status code, and the
/// <see cref="AuditActor"/>. The answer waits for the entry's commit, as a scan's does; when the audit does not take it,
/// the operator is answered <see cref="Unrecorded"/> (503): the change stands, but no success is reported without its
/// entry. Refused requests (401, 403, 4xx) change nothing and are not entries.
/// </summary>
internal sealed class OperatorActionAudit(AuditLog audit, TimeProvider time) : IEndpointFilter
{
    /// <summary>The <c>checkpointId</c> of operator actions: the channel they came through.</summary>
    public const string Channel = "operators";

    /// <summary>What an operator action is answered when its audit entry could not be committed.</summary>
    public static readonly ApiProblem Unrecorded = AuditLog.Unavailable with
    {
        Title = "The change was made, but it could not be written to the audit log.",
        Detail = "Tell whoever runs the service: the audit store is not taking entries. Check the change (GET) before making it again.",
    };

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return result;
        }

        var answered = Unwrap(result);
        var status = (answered as IStatusCodeHttpResult)?.StatusCode ?? http.Response.StatusCode;
        if (status is < 200 or > 299)
        {
            return result;
        }

        var actor = http.User.AuditActor();
        var endpoint = http.GetEndpoint() as RouteEndpoint;
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
            ?? $"{method} {endpoint?.RoutePattern.RawText ?? http.Request.Path.Value}";
        var entry = new AuditEvent(time.GetUtcNow(), Channel, actor.OperatorId, action, null, null, status.ToString(CultureInfo.InvariantCulture))
        {
            Actor = actor,
            Target = RouteTarget(endpoint, http.Request.RouteValues) ?? (status == StatusCodes.Status201Created ? CreatedTarget(answered) : null),
        };

        // Not the request's token: the change is made, so its entry is written even if the caller has gone.
        var recorded = await audit.RecordAsync(entry, CancellationToken.None);
        return recorded.Problem is null ? result : Unrecorded.ToResult();
    }

    /// <summary>The result a <c>Results&lt;...&gt;</c> union holds.</summary>
    private static object? Unwrap(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result;
    }

    /// <summary>The values of the route's parameters, in order: <c>st_abc</c> for <c>DELETE /staff/{staffId}</c>.</summary>
    private static string? RouteTarget(RouteEndpoint? endpoint, RouteValueDictionary values)
    {
        var parts = endpoint?.RoutePattern.Parameters
            .Select(p => values.TryGetValue(p.Name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null)
            .OfType<string>()
            .ToList();
        return parts is { Count: > 0 } ? string.Join('/', parts) : null;
    }

    /// <summary>The last segment of a 201's location: the id of what was created.</summary>
    private static string? CreatedTarget(object? answered)
    {
        // Created and Created<T> share no interface that exposes the location.
        var location = answered?.GetType().GetProperty(nameof(Created.Location))?.GetValue(answered) as string;
        return string.IsNullOrEmpty(location) ? null : Uri.UnescapeDataString(location[(location.LastIndexOf('/') + 1)..]);
    }
}
