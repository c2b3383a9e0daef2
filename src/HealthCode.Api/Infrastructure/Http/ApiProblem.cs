namespace HealthCode.Api.Infrastructure.Http;

/// <summary>One invalid field of a request: a camelCase JSON path, a stable code and what to do.</summary>
internal sealed record FieldError(string Field, string Code, string Message);

/// <summary>
/// An expected failure of a request, answered as RFC 9457 problem details with the stable
/// <c>code</c> extension of DESIGN §5 and, for validation, every invalid field.
/// </summary>
internal sealed record ApiProblem(int Status, string Code, string Title, string? Detail = null, IReadOnlyList<FieldError>? Errors = null)
{
    public static ApiProblem Validation(IReadOnlyList<FieldError> errors) => Fields("validation_failed", "Some fields are invalid.", errors);

    /// <summary>A 400 that names every invalid field, under one stable <paramref name="code"/>.</summary>
    public static ApiProblem Fields(string code, string title, IReadOnlyList<FieldError> errors) => new(
        StatusCodes.Status400BadRequest,
        code,
        title,
        string.Join(" ", errors.Select(e => e.Field.Length == 0 ? e.Message : $"{e.Field}: {e.Message}")),
        errors);

    public static ApiProblem NotFound(string code, string title) => new(StatusCodes.Status404NotFound, code, title);

    public ProblemHttpResult ToResult()
    {
        var extensions = new Dictionary<string, object?> { ["code"] = Code };
        if (Errors is { Count: > 0 })
        {
            extensions["errors"] = Errors;
        }

        return TypedResults.Problem(Detail, statusCode: Status, title: Title, extensions: extensions);
    }

    public Task WriteAsync(HttpContext context) => ToResult().ExecuteAsync(context);
}
