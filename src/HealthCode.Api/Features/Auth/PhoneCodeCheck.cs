using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Auth;

/// <summary>
/// Proves that the caller holds a phone: its one-time code, checked within the phone's wrong-guess
/// budget. Every use of a phone's code (login, moving a person off the phone) goes through here, so no
/// endpoint is a way around the budget.
/// </summary>
internal sealed class PhoneCodeCheck(OtpLimits limits, IOneTimeCodes codes)
{
    /// <summary>Null when the code is right (it is then used up); else why not, as the login answers it.</summary>
    public async ValueTask<ApiProblem?> CheckAsync(string phone, string code, CancellationToken cancellationToken)
    {
        // The phone's wrong-guess budget, across every code sent to it: once spent, not even the right code
        // passes until the window passes, and a new code does not reset it.
        var guess = await limits.TryGuessAsync(phone, cancellationToken);
        if (guess.Problem is { } spent)
        {
            return spent;
        }

        var outcome = await codes.CheckAsync(phone, code, cancellationToken);
        if (outcome != OneTimeCodeOutcome.Invalid)
        {
            await limits.NotAWrongGuessAsync(guess.Value!, cancellationToken);
        }

        return outcome switch
        {
            OneTimeCodeOutcome.Accepted => null,
            OneTimeCodeOutcome.Expired => Unauthorized("otp_expired", "The code has expired. Ask for a new one."),
            OneTimeCodeOutcome.TooManyAttempts => Unauthorized("otp_attempts_exceeded", "Too many wrong codes. Ask for a new one."),
            OneTimeCodeOutcome.Unavailable => CodesUnavailable,
            _ => Unauthorized("otp_invalid", "The code is wrong. Check the SMS, or ask for a new code."),
        };
    }

    /// <summary>The shared store of one-time codes (Redis) is down: no code is sent or checked until it is back.</summary>
    public static ApiProblem CodesUnavailable => new(
        StatusCodes.Status503ServiceUnavailable, "otp_unavailable", "Login codes cannot be sent or checked right now.", "Try again in a few seconds.")
    {
        RetryAfter = Infrastructure.RateLimiting.RateDecision.UnavailableRetryAfter,
    };

    private static ApiProblem Unauthorized(string code, string title) => new(StatusCodes.Status401Unauthorized, code, title);
}
