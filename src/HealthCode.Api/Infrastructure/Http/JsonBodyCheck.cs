using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// Explains a JSON body that did not bind, field by field (DESIGN §5: "each invalid field gets its own message"):
/// every member of the wrong JSON kind or unreadable as its type (<c>wrong_type</c>: text for a number, a date past
/// the calendar, 1e400 for a temperature), every unknown (<c>unknown_field</c>) or repeated (<c>duplicate_field</c>)
/// member and every string that is not UTF-8 (<c>invalid_utf8</c>). The members that did read are bound and given
/// to the body's validator, when it has one, so their errors come in the same answer.
/// </summary>
/// <remarks>
/// The problem's <c>code</c> is that of the gravest kind found: <c>invalid_utf8</c>, then <c>malformed_json</c> (a
/// syntax error, or a member of the wrong type), <c>duplicate_field</c>, <c>unknown_field</c>. The walk follows the
/// request type's own JSON contract (the serializer's metadata), so it serves every body type unchanged; it runs
/// only for a body that already failed.
/// </remarks>
internal sealed class JsonBodyCheck
{
    public const string WrongType = "wrong_type";
    public const string UnknownField = "unknown_field";
    public const string DuplicateField = "duplicate_field";
    public const string MalformedJson = "malformed_json";

    private const string Title = "The request body could not be read.";

    private static readonly string[] Gravity = [RequestProblems.InvalidUtf8Code, WrongType, DuplicateField, UnknownField];

    private readonly JsonSerializerOptions options;
    private readonly bool text;
    private readonly List<FieldError> errors = [];

    private JsonBodyCheck(JsonSerializerOptions options, bool text)
    {
        this.options = options;
        this.text = text;
    }

    public static ApiProblem Explain<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> contract, JsonException? failure, IValidator<T>? validator)
        where T : class
    {
        var text = JsonText.IsText(json.Span);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = contract.Options.MaxDepth });
        }
        catch (JsonException)
        {
            return Unreadable(failure, text);
        }

        using (document)
        {
            var check = new JsonBodyCheck(contract.Options, text);
            var bound = new ArrayBufferWriter<byte>();
            using (var copy = new Utf8JsonWriter(bound))
            {
                check.Read(document.RootElement, contract, "", copy);
            }

            if (check.errors.Count == 0)
            {
                // Nothing this walk knows of: say what the serializer said.
                return Unreadable(failure, text);
            }

            var fields = new List<FieldError>(check.errors);
            if (validator is not null && Bind(bound.WrittenSpan, contract) is { } partial)
            {
                fields.AddRange(validator.Validate(partial).Where(e => !check.Covers(e.Field)));
            }

            var gravest = Gravity.First(code => check.errors.Any(e => e.Code == code));
            return ApiProblem.Fields(gravest == WrongType ? MalformedJson : gravest, Title, fields);
        }
    }

    /// <summary>Reads <paramref name="value"/> as <paramref name="info"/>'s type, noting every error; copies what read into <paramref name="copy"/>.</summary>
    /// <returns>Whether a value was written: a member that did not read is left out (null in a list).</returns>
    private bool Read(JsonElement value, JsonTypeInfo info, string path, Utf8JsonWriter copy)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (info.Type.IsValueType && Nullable.GetUnderlyingType(info.Type) is null)
            {
                return Wrong(path, info);
            }

            copy.WriteNullValue();
            return true;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind != JsonValueKind.Object:
            case JsonTypeInfoKind.Enumerable when value.ValueKind != JsonValueKind.Array:
                return Wrong(path, info);
            case JsonTypeInfoKind.Object:
                ReadObject(value, info, path, copy);
                return true;
            case JsonTypeInfoKind.Enumerable:
                copy.WriteStartArray();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (!Read(item, options.GetTypeInfo(info.ElementType!), $"{path}[{index++}]", copy))
                    {
                        copy.WriteNullValue();
                    }
                }

                copy.WriteEndArray();
                return true;
        }

        if (!IsText(value))
        {
            return Add(path, RequestProblems.InvalidUtf8Code, $"{Name(path)} is not valid UTF-8 text (or has half of a surrogate pair).");
        }

        try
        {
            JsonSerializer.Deserialize(value, info);
        }
        catch (JsonException)
        {
            return Wrong(path, info);
        }

        // As sent: WriteTo would decode (and re-encode) every string of a JsonElement member.
        copy.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
        return true;
    }

    private void ReadObject(JsonElement value, JsonTypeInfo info, string path, Utf8JsonWriter copy)
    {
        var names = options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var seen = new HashSet<string>(names);
        copy.WriteStartObject();
        foreach (var member in value.EnumerateObject())
        {
            string name;
            try
            {
                name = member.Name;
            }
            catch (InvalidOperationException)
            {
                Add(path, RequestProblems.InvalidUtf8Code, $"{Name(path)} has a member name that is not valid UTF-8 text.");
                continue;
            }

            var field = path.Length == 0 ? name : $"{path}.{name}";
            var property = info.Properties.FirstOrDefault(p => names.Equals(p.Name, name));
            if (property is null)
            {
                Add(field, UnknownField, $"'{field}' is not a field of this request; remove it.");
            }
            else if (!seen.Add(property.Name))
            {
                Add(field, DuplicateField, $"'{field}' is given more than once; give it once.");
            }
            else
            {
                copy.WritePropertyName(property.Name);
                if (!Read(member.Value, options.GetTypeInfo(property.PropertyType), field, copy))
                {
                    copy.WriteNullValue();
                }
            }
        }

        copy.WriteEndObject();
    }

    /// <summary>The value as sent is text: UTF-8, no unpaired surrogate escape (in a JsonElement member's strings too).</summary>
    private bool IsText(JsonElement value) => text || JsonText.IsText(JsonMarshal.GetRawUtf8Value(value));

    /// <summary>A validator's error on a field already named here (or inside one) is left out: that field has its message.</summary>
    private bool Covers(string field) => errors.Any(e => field == e.Field
        || (field.StartsWith(e.Field, StringComparison.Ordinal) && field.Length > e.Field.Length && field[e.Field.Length] is '.' or '['));

    private bool Wrong(string path, JsonTypeInfo info) => Add(path, WrongType, path.Length == 0
        ? $"The body must be {Expected(info)}."
        : $"'{path}' must be {Expected(info)}.");

    private bool Add(string field, string code, string message)
    {
        errors.Add(new FieldError(field, code, message));
        return false;
    }

    private static string Name(string path) => path.Length == 0 ? "The body" : $"'{path}'";

    /// <summary>What a member of this type is written as, in the words of the error message.</summary>
    private static string Expected(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => "a JSON object",
            JsonTypeInfoKind.Enumerable => "a list",
            _ when type == typeof(string) => "text (a JSON string)",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateOnly) => "a date, yyyy-MM-dd",
            _ when type == typeof(DateTimeOffset) => "a date and time with its offset, e.g. 2020-03-01T08:30:00+08:00",
            _ when type == typeof(decimal) || type.IsPrimitive => "a number in range",
            _ => "a value of another kind",
        };
    }

    private static T? Bind<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> contract)
    {
        try
        {
            return JsonSerializer.Deserialize(json, contract);
        }
        catch (JsonException)
        {
            // A member of a type that cannot be null was left out: the type errors alone are answered.
            return default;
        }
    }

    /// <summary>Not JSON at all (a syntax error, cut short, nested too deep): one error, where the reader stopped.</summary>
    private static ApiProblem Unreadable(JsonException? failure, bool text)
    {
        var field = JsonPath.ToField(failure?.Path);
        var error = text
            ? new FieldError(field, MalformedJson, field.Length == 0 ? "The body is not valid JSON." : $"'{field}' has the wrong type or is not valid JSON.")
            : new FieldError(field, RequestProblems.InvalidUtf8Code, field.Length == 0 ? "The body is not valid UTF-8 text." : $"'{field}' is not valid UTF-8 text.");
        return new ApiProblem(StatusCodes.Status400BadRequest, error.Code, Title, error.Message, [error]);
    }
}
