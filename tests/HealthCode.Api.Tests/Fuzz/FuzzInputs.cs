using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using HealthCode.Api.Infrastructure.Http;

namespace HealthCode.Api.Tests.Fuzz;

/// <summary>
/// What the generator starts from: values the running service accepts (a real QR, a real staff id, a
/// partner's root key), keyed by route parameter, JSON member and query parameter name. A name not listed
/// gets a value of its type, so an endpoint added later still gets well-formed examples to mutate.
/// </summary>
internal sealed record FuzzInputs(
    IReadOnlyDictionary<string, string[]> RouteValues,
    IReadOnlyDictionary<string, JsonNode> MemberValues,
    IReadOnlyDictionary<string, string[]> QueryValues,
    string JoseExample,
    DateTimeOffset Now,
    int BodyCap)
{
    private const int MaxExampleDepth = 4;

    /// <summary>The request bodies' own contract (names, types), readable before the service has bound a body.</summary>
    private static readonly JsonSerializerOptions Contract = new(StrictJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    public DateOnly Today => DateOnly.FromDateTime(Now.ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <summary>A valid-looking JSON value of <paramref name="type"/>, built from the request type's own JSON contract.</summary>
    public JsonNode? Example(Type type, string? member = null, int depth = 0)
    {
        if (member is not null && MemberValues.TryGetValue(member, out var known))
        {
            return known.DeepClone();
        }

        var info = Contract.GetTypeInfo(type);
        if (info.Kind == JsonTypeInfoKind.Object && depth < MaxExampleDepth)
        {
            var example = new JsonObject();
            foreach (var property in info.Properties)
            {
                example[property.Name] = Example(property.PropertyType, property.Name, depth + 1);
            }

            return example;
        }

        if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element && depth < MaxExampleDepth)
        {
            return new JsonArray(Example(element, null, depth + 1));
        }

        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        return scalar switch
        {
            _ when scalar == typeof(string) => "x",
            _ when scalar == typeof(bool) => false,
            _ when scalar == typeof(DateOnly) => Today.AddDays(-1).ToString("O", CultureInfo.InvariantCulture),
            _ when scalar == typeof(DateTimeOffset) => Now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture),
            _ when scalar == typeof(JsonElement) => new JsonObject(),
            _ when scalar.IsPrimitive || scalar == typeof(decimal) => 1,
            _ => null,
        };
    }
}
