using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using HealthCode.Trust.Jose;

namespace HealthCode.Trust.Sharing;

/// <summary>
/// docs/BATCH-FORMAT.md §2: the payload is a JSON object with a well-formed <c>source</c>, <c>batchId</c>, <c>sha256</c>,
/// <c>rows</c> (an integer, 0 or more) and <c>producedAt</c> (a NumericDate, RFC 7519 §2). A member twice is refused
/// (RFC 7519 §4); members not named here are ignored (RFC 7519 §4: claims not understood are ignored).
/// </summary>
internal static class ManifestClaimsRule
{
    public static bool TryRead(byte[] json, [NotNullWhen(true)] out BatchManifest? manifest)
    {
        manifest = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, Es256Jws.ReaderOptions);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !Es256Jws.TryString(root, "source", out string? source) || !BatchManifest.IsValidId(source)
                || !Es256Jws.TryString(root, "batchId", out string? batchId) || !BatchManifest.IsValidId(batchId)
                || !Es256Jws.TryString(root, "sha256", out string? sha256) || !BatchManifest.IsValidSha256(sha256)
                || !root.TryGetProperty("rows", out JsonElement rowsElement) || rowsElement.ValueKind != JsonValueKind.Number
                || !rowsElement.TryGetInt64(out long rows) || rows < 0
                || !Es256Jws.TryRequiredNumericDate(root, "producedAt", out long producedAt))
            {
                return false;
            }

            manifest = new BatchManifest(source, batchId, sha256, rows, DateTimeOffset.FromUnixTimeSeconds(producedAt));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// A manifest has no <c>exp</c> or <c>nbf</c>: its lifetime is a window around <c>producedAt</c> on the injected clock,
/// with the explicit clock skew (DESIGN §4.5). Produced later than now (a wrong clock or a forgery) is not yet valid;
/// produced longer ago than the maximum age is expired, so an old signed batch cannot be replayed under a new name
/// forever.
/// </summary>
internal static class ManifestLifetimeRule
{
    public static BatchManifestError? Check(DateTimeOffset producedAt, DateTimeOffset now, TimeSpan clockSkew, TimeSpan maxAge) =>
        producedAt > now + clockSkew ? BatchManifestError.NotYetValid
        : producedAt < now - maxAge - clockSkew ? BatchManifestError.Expired
        : null;
}
