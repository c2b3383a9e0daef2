using System.Text.Json;
using System.Text.Json.Serialization;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// A JSON request body read strictly: unknown members are refused, the size is capped, and a
/// malformed document becomes a problem with a stable code that names the offending field
/// instead of the framework's bare 400. Endpoints declare the body type with <c>Accepts&lt;T&gt;</c>.
/// </summary>
internal sealed class JsonBody<T>
    where T : class
{
    private JsonBody(T? value, ApiProblem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public ApiProblem? Problem { get; }

    public static async ValueTask<JsonBody<T>> BindAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Failed(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the body as application/json.");
        }

        var limit = BodyLimit.Of(context);
        if (request.ContentLength > limit)
        {
            return Failed(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body must be at most {limit} bytes.");
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(
                new LengthLimitedStream(request.Body, limit), StrictJson.Options, context.RequestAborted);
            return value is null
                ? Failed(StatusCodes.Status400BadRequest, "body_required", "Send a JSON object as the body.")
                : new JsonBody<T>(value, null);
        }
        catch (BodyTooLargeException)
        {
            return Failed(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body must be at most {limit} bytes.");
        }
        catch (JsonException e)
        {
            // The reader reports where it failed (RFC 6901-like path "$.travel[0].from"); the
            // client gets that field's name, not the exception text.
            var field = JsonPath.ToField(e.Path);
            var unknown = e.Message.Contains("could not be mapped", StringComparison.Ordinal);
            var problem = unknown
                ? new FieldError(field, "unknown_field", $"'{field}' is not a field of this request; remove it.")
                : new FieldError(field, "malformed_json", string.IsNullOrEmpty(field)
                    ? "The body is not valid JSON."
                    : $"'{field}' has the wrong type or is not valid JSON.");
            return new JsonBody<T>(null, new ApiProblem(
                StatusCodes.Status400BadRequest, problem.Code, "The request body could not be read.", problem.Message, [problem]));
        }
    }

    private static JsonBody<T> Failed(int status, string code, string title) =>
        new(null, new ApiProblem(status, code, title));
}

/// <summary>The JSON options of request bodies: DESIGN §5 camelCase, and no unknown members.</summary>
internal static class StrictJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
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
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCodeOptions>>().Value.Limits.MaxRequestBodyBytes;
}

internal sealed class BodyTooLargeException : Exception
{
    public BodyTooLargeException()
        : base("The request body is larger than the configured cap.")
    {
    }

    public BodyTooLargeException(string message)
        : base(message)
    {
    }

    public BodyTooLargeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Reads at most <c>limit</c> bytes, for bodies sent without a Content-Length (chunked).</summary>
internal sealed class LengthLimitedStream(Stream inner, long limit) : Stream
{
    private long read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        read += n;
        return read > limit ? throw new BodyTooLargeException() : n;
    }
}
