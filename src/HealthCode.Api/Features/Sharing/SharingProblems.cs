namespace HealthCode.Api.Features.Sharing;

/// <summary>The answers of the sharing endpoints that refuse a batch (DESIGN §9), each with a stable code and what to do.</summary>
internal static class SharingProblems
{
    public static readonly ApiProblem UnsupportedMediaType = new(
        StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the batch as text/csv (with a header row) or application/x-ndjson.");

    public static readonly ApiProblem HashMismatch = new(
        StatusCodes.Status400BadRequest, "hash_mismatch", "The body is not the one the manifest was signed for: its SHA-256 differs.",
        "Sign the manifest again for this exact file (healthcode batch sign), or send the file the manifest was made from.");

    public static readonly ApiProblem UploadIncomplete = new(
        StatusCodes.Status400BadRequest, "upload_incomplete", "The body broke off before its end; nothing of it was kept.",
        "Upload the batch again with the same manifest.");

    public static ApiProblem SourceNotFound(string source) => ApiProblem.NotFound(
        "source_not_found", $"No catalogue entry has the code '{source}'. Check GET /api/v1/catalog.");

    public static ApiProblem BatchNotFound(string source, string batchId) => ApiProblem.NotFound(
        "batch_not_found", $"Catalogue entry '{source}' has no batch '{batchId}'.");

    public static ApiProblem DepartmentRequired(string provider) => new(
        StatusCodes.Status403Forbidden, "department_required", $"Only department {provider} uploads this entry's data.",
        $"Upload with an operator account of role department:{provider}.");

    public static ApiProblem DepartmentNotRegistered(string provider) => new(
        StatusCodes.Status409Conflict, "department_not_registered", $"Department {provider} has no registered key.",
        "An operator registers the department's public key first (POST /api/v1/admin/departments).");

    /// <summary>The manifest did not verify: <paramref name="code"/> is the reader's stable code (manifest_bad_signature, ...).</summary>
    public static ApiProblem ManifestRefused(string code) => new(
        StatusCodes.Status400BadRequest, code, "The Sharing-Manifest header is not a valid manifest of this department for this entry.",
        "Sign the manifest with the department's registered key for this entry (healthcode batch sign); see docs/BATCH-FORMAT.md.");

    public static ApiProblem BodyTooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge, "body_too_large", $"A batch may be at most {limit} bytes.", "Split the data into several batches.");
}
