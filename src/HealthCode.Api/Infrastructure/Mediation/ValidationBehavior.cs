namespace HealthCode.Api.Infrastructure.Mediation;

/// <summary>Checks a message before its handler runs. Register one per message type that needs it.</summary>
internal interface IValidator<in TMessage>
{
    IReadOnlyList<FieldError> Validate(TMessage message);
}

/// <summary>
/// Runs every validator of a message and answers with one problem naming every invalid field,
/// so a handler only ever sees a valid message and nothing is half-written.
/// </summary>
internal sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
    where TResponse : IFailable<TResponse>
{
    private readonly IValidator<TMessage>[] validators = [.. validators];

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (validators.Length == 0)
        {
            return next(message, cancellationToken);
        }

        var errors = validators.SelectMany(v => v.Validate(message)).ToList();
        return errors.Count == 0
            ? next(message, cancellationToken)
            : ValueTask.FromResult(TResponse.Fail(ApiProblem.Validation(errors)));
    }
}
