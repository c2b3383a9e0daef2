namespace HealthCode.Trust.Keys;

/// <summary>
/// A key file or JWK that this service cannot use: not JSON, not an EC P-256 key (RFC 7518 §6.2),
/// or inconsistent with itself. Loading keys happens at start-up, so this is an exception that stops
/// the service from booting, never a per-request failure.
/// </summary>
public sealed class InvalidKeyException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidKeyException()
        : base("The key is not a usable EC P-256 JWK.")
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong with the key.</summary>
    /// <param name="message">What is wrong, naming the file when there is one.</param>
    public InvalidKeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What is wrong, naming the file when there is one.</param>
    /// <param name="innerException">The parser or crypto error behind it.</param>
    public InvalidKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
