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

    public static ApiProblem Validation(IReadOnlyList<FieldError> errors) => new(
        StatusCodes.Status400BadRequest,
        "validation_failed",
        "Some fields are invalid.",
        string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")),
        errors);

    public static ApiProblem NotFound(string code, string title) => new(StatusCodes.Status404NotFound, code, title);

    public ProblemHttpResult ToResult()
    {
        var extensions = new Dictionary<string, object?>(Extensions ?? new Dictionary<string, object?>()) { ["code"] = Code };
        if (Errors is { Count: > 0 })
        {
            extensions["errors"] = Errors;
        }

        return TypedResults.Problem(Detail, statusCode: Status, title: Title, extensions: extensions);
    }

    public Task WriteAsync(HttpContext context) => ToResult().ExecuteAsync(context);
}
