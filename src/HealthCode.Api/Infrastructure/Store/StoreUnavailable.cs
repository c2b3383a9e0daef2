using Npgsql;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The store did not answer (PostgreSQL stopped, restarting or out of reach: issue 13's fault). A write or a read that
/// needs it is answered 503 <c>store_unavailable</c>, never a 500, and nothing is half-done: each store write is one
/// transaction, which PostgreSQL either committed before it went or never did. Scans do not need the store
/// (<see cref="Auth.StaffDirectory"/>, the in-memory trust and code status, the audit's local spool) and go on.
/// </summary>
internal static class StoreUnavailable
{
    public const string Code = "store_unavailable";

    public static readonly ApiProblem Problem = new(
        StatusCodes.Status503ServiceUnavailable,
        Code,
        "The store cannot be reached, so this request was not carried out.",
        "Nothing was changed. Try again in a moment; scans of codes go on meanwhile.")
    {
        RetryAfter = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Whether <paramref name="exception"/> (or what caused it) says the store did not answer, rather than that it refused
    /// the request: Npgsql's transient errors (a socket refused or cut, a timeout, https://www.npgsql.org/doc/api/Npgsql.NpgsqlException.html#Npgsql_NpgsqlException_IsTransient),
    /// and PostgreSQL's classes 08 (connection exception) and 57P (shutting down, starting up).
    /// </summary>
    public static bool Is(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is PostgresException server
                ? server.IsTransient || server.SqlState.StartsWith("08", StringComparison.Ordinal) || server.SqlState.StartsWith("57P", StringComparison.Ordinal)
                : cause is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Answers an exception that says the store did not answer with <see cref="StoreUnavailable.Problem"/>.</summary>
internal sealed class StoreUnavailableExceptionHandler : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!StoreUnavailable.Is(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }

        await StoreUnavailable.Problem.WriteAsync(httpContext);
        return true;
    }
}
