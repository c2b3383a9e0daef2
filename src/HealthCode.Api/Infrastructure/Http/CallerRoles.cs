namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// Endpoint metadata: the operator roles an endpoint's handler checks itself, any one of them, because the role depends
/// on the request (the department that provides a catalogue entry, the office of a region). The authorization policy
/// of such an endpoint only says "any operator"; the document says who really gets past the handler.
/// </summary>
internal sealed record CallerRoles(IReadOnlyList<string> AnyOf);

internal static class CallerRolesExtensions
{
    /// <summary>Documents that the handler lets in only operators holding one of <paramref name="anyOf"/> (403 <c>role_required</c> otherwise).</summary>
    public static TBuilder WithCallerRoles<TBuilder>(this TBuilder builder, params string[] anyOf)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new CallerRoles(anyOf));
}
