namespace HealthCode.Api.Infrastructure.Http;

/// <summary>One invalid field of a request: a camelCase JSON path, a stable code and what to do.</summary>
internal sealed record FieldError(string Field, string Code, string Message);

/// <summary>
/// An expected failure of a request, answered as RFC 9457 problem details with the stable
/// <c>code</c> extension of DESIGN §5 and, for validation, every invalid field.
/// </summary>
internal sealed record ApiProblem(int Status, string Code, string Title, string? Detail = null, IReadOnlyList<FieldError>? Errors = null)
{
    /// <summary>Further members of the problem a client acts on (RFC 9457 §3.2), e.g. the masked phone holding a person.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    public static ApiProblem Validation(IReadOnlyList<FieldError> errors) => Fields("validation_failed", "Some fields are invalid.", errors);

    /// <summary>A 400 that names every invalid field, under one stable <paramref name="code"/>.</summary>
    public static ApiProblem Fields(string code, string title, IReadOnlyList<FieldError> errors) => new(
        StatusCodes.Status400BadRequest,
        code,
        title,
        string.Join(" ", errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}")),
        errors);

    /// <summary>
    /// With a 429 (RFC 6585 §4) or 503: how long to wait before trying again, sent as the <c>Retry-After</c>
    /// header in whole seconds, rounded up (RFC 9110 §10.2.3).
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    public static ApiProblem NotFound(string code, string title) => new(StatusCodes.Status404NotFound, code, title);

    /// <summary>RFC 6585 §4 Too Many Requests, with how long to wait.</summary>
    public static ApiProblem TooManyRequests(string code, string title, TimeSpan retryAfter) => new(
        StatusCodes.Status429TooManyRequests, code, title, $"Try again in {RetryAfterSeconds(retryAfter)} seconds.")
    {
        RetryAfter = retryAfter,
    };

    public ProblemHttpResult ToResult()
    {
        var extensions = new Dictionary<string, object?>(Extensions ?? new Dictionary<string, object?>()) { ["code"] = Code };
        if (Errors is { Count: > 0 })
        {
            extensions["errors"] = Errors;
        }

        return TypedResults.Problem(Detail, statusCode: Status, title: Title, extensions: extensions);
    }

    /// <summary>The result, with the headers this problem needs set on <paramref name="response"/> (<c>Retry-After</c>).</summary>
    public ProblemHttpResult ToResult(HttpResponse response)
    {
        if (RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = RetryAfterSeconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ToResult();
    }

    public Task WriteAsync(HttpContext context) => ToResult(context.Response).ExecuteAsync(context);

    private static long RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
}
