using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// A JSON request body read strictly: unknown and repeated members are refused, the size is capped (announced or
/// chunked), the text must be UTF-8, and a body that does not bind becomes a problem with a stable code that names
/// every offending field, not the framework's bare 400 (<see cref="JsonBodyCheck"/>). Endpoints declare the body
/// type with <c>Accepts&lt;T&gt;</c>.
/// </summary>
/// <remarks>
/// A valid body is read once, into a pooled buffer, and deserialised straight from it: the scan path
/// (<c>POST /api/v1/verify</c>) pays for one UTF-8 check (vectorised) and nothing else beside the deserialisation.
/// Only a body that failed is parsed again, member by member, to explain it.
/// </remarks>
internal sealed class JsonBody<T>
    where T : class
{
    private static readonly JsonTypeInfo<T> Contract = (JsonTypeInfo<T>)StrictJson.Options.GetTypeInfo(typeof(T));

    private JsonBody(T? value, ApiProblem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public ApiProblem? Problem { get; }

    public static async ValueTask<JsonBody<T>> BindAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return new(null, RequestProblems.UnsupportedMediaType);
        }

        var (body, problem) = await BufferedBody.ReadAsync(context, BodyLimit.Of(context));
        using (body)
        {
            return problem is null ? Read(body.Memory, context.RequestServices) : new(null, problem);
        }
    }

    private static JsonBody<T> Read(ReadOnlyMemory<byte> json, IServiceProvider services)
    {
        if (json.IsEmpty)
        {
            return new(null, RequestProblems.BodyRequired);
        }

        T? value;
        JsonException? failure = null;
        try
        {
            value = JsonSerializer.Deserialize(json.Span, Contract);
        }
        catch (JsonException e)
        {
            value = null;
            failure = e;
        }

        // RFC 8259 §8.1: JSON between systems is UTF-8. The reader copies some values without decoding them (a
        // JsonElement member such as a partner's root key), so the body is checked whole.
        if (failure is null && JsonText.IsText(json.Span))
        {
            return value is null ? new(null, RequestProblems.BodyRequired) : new(value, null);
        }

        return new(null, JsonBodyCheck.Explain(json, Contract, failure, services.GetService<IValidator<T>>()));
    }
}

/// <summary>The JSON options of request bodies: DESIGN §5 camelCase, no unknown members, no member twice.</summary>
internal static class StrictJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        // Set, not left to the first (de)serialisation: JsonBody reads the contracts of its types up front.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };
}

internal static class JsonPath
{
    /// <summary>Turns the reader's <c>$.travel[0].from</c> into the field name <c>travel[0].from</c>.</summary>
    public static string ToField(string? path) => path switch
    {
        null or "$" => "",
        _ when path.StartsWith("$.", StringComparison.Ordinal) => path[2..],
        _ => path.TrimStart('$'),
    };
}

internal static class BodyLimit
{
    public static long Of(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Limits.MaxRequestBodyBytes;
}
