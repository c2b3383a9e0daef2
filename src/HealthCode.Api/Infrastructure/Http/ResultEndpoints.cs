namespace HealthCode.Api.Infrastructure.Http;

internal static class ResultEndpoints
{
    /// <summary>Turns a use case's result into the endpoint's typed answer: <paramref name="ok"/> or its problem.</summary>
    public static async Task<Results<TOk, ProblemHttpResult>> Answer<T, TOk>(this ValueTask<Result<T>> pending, Func<T, TOk> ok)
        where TOk : IResult =>
        (await pending).Match<Results<TOk, ProblemHttpResult>>(value => ok(value), problem => problem.ToResult());

    /// <summary><see cref="Answer{T, TOk}(ValueTask{Result{T}}, Func{T, TOk})"/> for problems that set headers (<see cref="ApiProblem.RetryAfter"/>).</summary>
    public static async Task<Results<TOk, ProblemHttpResult>> Answer<T, TOk>(this ValueTask<Result<T>> pending, HttpResponse response, Func<T, TOk> ok)
        where TOk : IResult =>
        (await pending).Match<Results<TOk, ProblemHttpResult>>(value => ok(value), problem => problem.ToResult(response));
}
