namespace HealthCode.Api.Infrastructure.Http;

/// <summary>Lets a pipeline behaviour build a failed response without knowing its value type.</summary>
internal interface IFailable<out TSelf>
{
    static abstract TSelf Fail(ApiProblem problem);
}

/// <summary>The outcome of a use case: a value, or an expected failure as a value (STYLE §3).</summary>
internal readonly record struct Result<T> : IFailable<Result<T>>, Mediation.IHasProblem
{
    private Result(T? value, ApiProblem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public ApiProblem? Problem { get; }

    public static Result<T> Fail(ApiProblem problem) => new(default, problem);

    /// <summary>A success, for values an implicit conversion cannot take (interfaces).</summary>
    public static Result<T> From(T value) => new(value, null);

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApiProblem problem) => new(default, problem);

    public TOut Match<TOut>(Func<T, TOut> ok, Func<ApiProblem, TOut> failed) =>
        Problem is null ? ok(Value!) : failed(Problem);
}
