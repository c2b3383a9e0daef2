namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// What is wrong with a request before any use case sees it (its size, its media type, its encoding, what the
/// server could not read), with one stable code and one wording per cause wherever the cause is found: the
/// JSON binder, a raw-body endpoint or the exception handler.
/// </summary>
internal static class RequestProblems
{
    public const string InvalidUtf8Code = "invalid_utf8";

    public static readonly ApiProblem UnsupportedMediaType = new(
        StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the body as application/json.");

    public static readonly ApiProblem BodyRequired = new(StatusCodes.Status400BadRequest, "body_required", "Send a JSON object as the body.");

    public static ApiProblem BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"The body must be at most {limit} bytes.");

    /// <summary>RFC 8259 §8.1 and RFC 3986 §2.5: the service reads text as UTF-8 only, and says so rather than guess.</summary>
    public static ApiProblem InvalidUtf8(string detail, IReadOnlyList<FieldError>? errors = null) =>
        new(StatusCodes.Status400BadRequest, InvalidUtf8Code, "The request is not valid UTF-8.", detail, errors);

    /// <summary>
    /// Text PostgreSQL cannot hold: U+0000, valid UTF-8 and valid JSON (<c>\u0000</c>), which PostgreSQL's text refuses
    /// (SQLSTATE 22021, https://www.postgresql.org/docs/current/datatype-character.html). No stored value holds one, so no
    /// such request could have found or changed anything.
    /// </summary>
    public static readonly ApiProblem NulCharacter = new(
        StatusCodes.Status400BadRequest, "nul_character", "The request holds the character U+0000, which no field may contain.");

    /// <summary>
    /// A request Kestrel or the endpoint binder refused (a body past the cap, one that came too slowly, a route or
    /// query value of the wrong format): its own 4xx status and a stable code. Its message and stack never reach
    /// the client, in Development neither.
    /// </summary>
    public static ApiProblem From(BadHttpRequestException refused, HttpContext context) => refused.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => BodyTooLarge(BodyLimit.Of(context)),
        StatusCodes.Status408RequestTimeout => new(StatusCodes.Status408RequestTimeout, "request_timeout", "The body arrived too slowly.", "Send the whole body at once."),
        StatusCodes.Status415UnsupportedMediaType => new(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "This media type is not accepted here."),
        >= 400 and < 500 => new(refused.StatusCode, "bad_request", "The request could not be read.", "Check the format of the values in the path and the query string."),
        _ => new(StatusCodes.Status400BadRequest, "bad_request", "The request could not be read."),
    };
}

/// <summary>
/// Answers the exceptions that describe a bad request rather than a bug (<see cref="BadHttpRequestException"/>:
/// Kestrel's body cap, a chunked body that stops, a value the binder cannot parse; text PostgreSQL cannot hold) with
/// their own status, so UseExceptionHandler does not turn them into 500s. Bugs stay 500 <c>internal_error</c>, without details.
/// </summary>
internal sealed class BadRequestExceptionHandler : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException refused)
        {
            await RequestProblems.From(refused, httpContext).WriteAsync(httpContext);
            return true;
        }

        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CharacterNotInRepertoire })
            {
                await RequestProblems.NulCharacter.WriteAsync(httpContext);
                return true;
            }
        }

        return false;
    }
}
