using System.Buffers;
using System.Text.Json;
using HealthCode.Trust.Jose;
using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Sharing;

/// <summary>
/// Signs batch manifests (DESIGN §9, docs/BATCH-FORMAT.md §2): a compact JWS (RFC 7515 §7.1), ES256, header
/// <c>{"alg":"ES256","typ":"hc-batch+jwt","kid":…}</c>, signed with the department's key. <see cref="BatchManifestReader"/>
/// verifies them.
/// </summary>
public static class BatchManifestCodec
{
    /// <summary>The JWS <c>typ</c> (RFC 7515 §4.1.9, RFC 8725 §3.11) of a batch manifest, and of nothing else.</summary>
    public const string Type = "hc-batch+jwt";

    /// <summary>The longest manifest read, in characters (a real one is about 400); anything longer is refused unparsed.</summary>
    public const int MaxLength = 4096;

    /// <summary>Signs a manifest.</summary>
    /// <param name="manifest">What the department signs; <see cref="BatchManifest.ProducedAt"/> is written in whole seconds.</param>
    /// <param name="departmentKey">The department's key, with its private part; its <see cref="EcKey.Kid"/> goes in the header.</param>
    /// <returns>The compact JWS, to send as the <c>Sharing-Manifest</c> header.</returns>
    /// <exception cref="ArgumentException">The manifest breaks a rule of docs/BATCH-FORMAT.md §2, or the key cannot sign (a bug in the caller).</exception>
    public static string Sign(BatchManifest manifest, EcKey departmentKey)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(departmentKey);
        Validate(manifest);
        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload, Es256Jws.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("source", manifest.Source);
            writer.WriteString("batchId", manifest.BatchId);
            writer.WriteString("sha256", manifest.Sha256);
            writer.WriteNumber("rows", manifest.Rows);
            writer.WriteNumber("producedAt", manifest.ProducedAt.ToUnixTimeSeconds()); // RFC 7519 §2 NumericDate
            writer.WriteEndObject();
        }

        return Es256Jws.Sign(Type, departmentKey, payload.WrittenSpan);
    }

    private static void Validate(BatchManifest manifest)
    {
        if (!BatchManifest.IsValidId(manifest.Source))
        {
            throw new ArgumentException($"Source must be 1-{BatchManifest.MaxIdLength} characters of [A-Za-z0-9._-].", nameof(manifest));
        }

        if (!BatchManifest.IsValidId(manifest.BatchId))
        {
            throw new ArgumentException($"BatchId must be 1-{BatchManifest.MaxIdLength} characters of [A-Za-z0-9._-].", nameof(manifest));
        }

        if (!BatchManifest.IsValidSha256(manifest.Sha256))
        {
            throw new ArgumentException("Sha256 must be the base64url of a 32-byte SHA-256 digest (43 characters).", nameof(manifest));
        }

        if (manifest.Rows < 0)
        {
            throw new ArgumentException("Rows cannot be negative.", nameof(manifest));
        }

        if (manifest.ProducedAt.ToUnixTimeSeconds() is < 0 or > Es256Jws.MaxNumericDate)
        {
            throw new ArgumentException("ProducedAt must be on or after 1970-01-01T00:00:00Z.", nameof(manifest));
        }
    }
}
