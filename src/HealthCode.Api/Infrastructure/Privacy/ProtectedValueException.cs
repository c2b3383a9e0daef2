using System.Security.Cryptography;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>Why a stored value was refused by <see cref="FieldCipher.Unprotect"/>.</summary>
internal enum ProtectedValueProblem
{
    /// <summary>Not <c>v1.&lt;kid&gt;.&lt;payload&gt;</c>, or a payload too short to hold a nonce and a tag (truncated).</summary>
    Malformed,

    /// <summary>A version this build does not write or read.</summary>
    UnsupportedVersion,

    /// <summary>A kid none of the loaded data keys has: a key removed too early, or a value from elsewhere.</summary>
    UnknownKey,

    /// <summary>
    /// The tag does not verify: the nonce, ciphertext or tag was changed, or the value was moved to another field or row
    /// (the associated data differs), or its kid was changed to another loaded key's.
    /// </summary>
    Tampered,
}

/// <summary>
/// A stored personal value that is not read, never decrypted into garbage (AES-GCM checks its tag before any plaintext
/// is released). The message names the field, the problem and the kid, never the value: it may reach a log.
/// </summary>
/// <remarks>
/// An exception rather than a result (STYLE habit 3): a value the service wrote itself does not fail to read unless the
/// store was changed behind its back or a key is missing, which is a fault to raise, not a case to handle.
/// </remarks>
internal sealed class ProtectedValueException(string field, ProtectedValueProblem problem, string? kid)
    : CryptographicException($"The stored {field} is refused: {Describe(problem)}{(kid is null ? "" : $" (kid {kid})")}.")
{
    public string Field { get; } = field;

    public ProtectedValueProblem Problem { get; } = problem;

    public string? Kid { get; } = kid;

    private static string Describe(ProtectedValueProblem problem) => problem switch
    {
        ProtectedValueProblem.Malformed => "not a protected value, or truncated",
        ProtectedValueProblem.UnsupportedVersion => "a format version this service does not read",
        ProtectedValueProblem.UnknownKey => "its data key is not in HealthCode:Privacy:KeysPath",
        _ => "it does not authenticate (changed, or moved from another field or row)",
    };
}

/// <summary>
/// Answers a request that met a stored personal value which does not decrypt (changed outside the service, or under a
/// key the folder no longer holds) with 500 <c>stored_value_refused</c>: the value is refused, never read as garbage,
/// and nothing is answered from it. The log names the field and the kid, never a value.
/// </summary>
internal sealed partial class ProtectedValueExceptionHandler(ILogger<ProtectedValueExceptionHandler> logger) : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public static readonly ApiProblem Problem = new(
        StatusCodes.Status500InternalServerError,
        "stored_value_refused",
        "A stored personal value did not decrypt: it was changed outside the service, or its key is missing from HealthCode:Privacy:KeysPath.",
        "Nothing was answered from it. Tell the province's operators; the service's log names the field and the key id.");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ProtectedValueException refused || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogRefused(logger, refused.Field, refused.Problem, refused.Kid ?? "-");
        await Problem.WriteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored {Field} was refused ({Problem}, kid {Kid}): changed outside the service, or its key is missing")]
    private static partial void LogRefused(ILogger logger, string field, ProtectedValueProblem problem, string kid);
}
