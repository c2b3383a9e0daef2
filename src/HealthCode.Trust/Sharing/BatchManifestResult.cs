using System.Diagnostics.CodeAnalysis;

namespace HealthCode.Trust.Sharing;

/// <summary>The outcome of <see cref="BatchManifestReader.ReadAsync"/>: the verified manifest, or why it was refused. Never an exception.</summary>
public sealed class BatchManifestResult
{
    private BatchManifestResult(BatchManifest? manifest, BatchManifestError? error)
    {
        Manifest = manifest;
        Error = error;
    }

    /// <summary>True when the manifest verified: <see cref="Manifest"/> is set and <see cref="Error"/> is null.</summary>
    [MemberNotNullWhen(true, nameof(Manifest))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Manifest is not null;

    /// <summary>The verified manifest; null when refused.</summary>
    public BatchManifest? Manifest { get; }

    /// <summary>Why the manifest was refused; null when valid.</summary>
    public BatchManifestError? Error { get; }

    /// <summary>A verified manifest.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <returns>The result.</returns>
    public static BatchManifestResult Success(BatchManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new BatchManifestResult(manifest, null);
    }

    /// <summary>A refusal.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static BatchManifestResult Failure(BatchManifestError error) => new(null, error);

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid {Manifest.Source} batch {Manifest.BatchId}" : Error.Value.ToCode();
}
