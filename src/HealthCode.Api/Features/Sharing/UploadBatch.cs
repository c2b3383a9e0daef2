using System.Security.Claims;
using System.Security.Cryptography;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using Microsoft.AspNetCore.Http.Features;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// <c>POST /api/v1/sources/{code}/batches</c> (DESIGN §9): a department uploads a signed batch for one of its catalogue
/// entries. The body is streamed to a file while its SHA-256 is computed, never held in memory; it is answered
/// <c>202 {batchId, status: applying}</c> once it is on disk whole and matches the manifest its department signed
/// (the batch then survives a restart), and applied in the background, whole or not at all. The same batchId twice
/// applies once: the second upload is answered with the first's state and not read.
/// </summary>
internal sealed record UploadBatch(string Source, string? MediaType, string? Manifest, Stream Body, ClaimsPrincipal Operator) : ICommand<Result<BatchAnswer>>;

/// <summary>What an upload is answered with: the batch and its state (<c>Created</c> false when the batchId was seen before).</summary>
internal sealed record BatchAnswer(string BatchId, string Status, [property: System.Text.Json.Serialization.JsonIgnore] bool Created);

internal sealed class UploadBatchHandler(
    ICatalogStore catalog,
    IBatchStore batches,
    BatchFiles files,
    BatchBodies bodies,
    BatchApplier applier,
    BatchMetrics metrics,
    IOptions<HealthCodeOptions> options,
    TimeProvider time)
    : ICommandHandler<UploadBatch, Result<BatchAnswer>>
{
    public async ValueTask<Result<BatchAnswer>> Handle(UploadBatch command, CancellationToken cancellationToken)
    {
        if (!BatchFile.IsSupported(command.MediaType))
        {
            return SharingProblems.UnsupportedMediaType;
        }

        if (await catalog.FindEntryAsync(command.Source, cancellationToken) is not { } entry || !FactKinds.ByName.ContainsKey(entry.Kind))
        {
            return SharingProblems.SourceNotFound(command.Source);
        }

        // DESIGN §10: a department answers for its own data; no one else uploads it, not even an admin.
        if (!command.Operator.IsDepartment(entry.Provider))
        {
            return SharingProblems.DepartmentRequired(entry.Provider);
        }

        if (await catalog.FindDepartmentAsync(entry.Provider, cancellationToken) is not { } department)
        {
            return SharingProblems.DepartmentNotRegistered(entry.Provider);
        }

        var settings = options.Value;
        using var key = EcKey.FromJwk(department.KeyJwk);
        var read = await new BatchManifestReader(time, settings.Trust.ClockSkew, settings.Sharing.ManifestMaxAge)
            .ReadAsync(command.Manifest, key, command.Source);
        if (read.Manifest is not { } manifest)
        {
            return SharingProblems.ManifestRefused(read.Error!.Value.ToCode());
        }

        var batch = new BatchRecord(
            command.Source, manifest.BatchId, "receiving", entry.Kind, command.MediaType!, manifest.Sha256, manifest.Rows, manifest.ProducedAt,
            command.Manifest!, command.Operator.Identity?.Name ?? "operator", time.GetUtcNow(), null, null, 0, 0, 0, null);
        if (!await batches.BeginAsync(batch, cancellationToken))
        {
            var seen = (await batches.FindAsync(command.Source, manifest.BatchId, cancellationToken))!;
            return new BatchAnswer(seen.BatchId, BatchStatus.Public(seen.Status), Created: false);
        }

        // Claimed at once, so that another instance sharing the store, starting meanwhile, leaves the upload alone.
        await applier.ClaimAsync(batch.Source, batch.BatchId, cancellationToken);

        // The claim is renewed while the body streams in and is stored: a long upload is not taken for one whose instance is gone.
        await using var hold = applier.Hold(batch, CancellationToken.None);
        var received = await files.ReceiveAsync(batch, command.Body, settings.Sharing.MaxBatchBytes, cancellationToken);
        if (received.Problem is { } refused)
        {
            await batches.RejectAsync(batch.Source, batch.BatchId, refused.Code, [], 0, 0, time.GetUtcNow(), CancellationToken.None);
            metrics.Rejected(batch.Source, refused.Code, 0);
            return refused;
        }

        // In the store too, so that another instance can apply it should this one be gone before it is done (BatchBodies).
        try
        {
            await bodies.SaveAsync(batch, received.Value!, hold.Token);
        }
        catch (OperationCanceledException) when (hold.Lost)
        {
            // Stalled past the claim's lease: another instance took the upload for one cut off, and rejected it.
            return SharingProblems.UploadIncomplete;
        }

        await batches.MarkApplyingAsync(batch.Source, batch.BatchId, received.Value!, CancellationToken.None);
        applier.Enqueue(batch.Source, batch.BatchId);
        return new BatchAnswer(batch.BatchId, "applying", Created: true);
    }
}

/// <summary>Where received batch bodies are kept while they are applied, and how one is received.</summary>
internal sealed class BatchFiles(LocalDataFolder data, IOptions<HealthCodeOptions> options)
{
    private readonly string folder = Path.GetFullPath(options.Value.Sharing.BatchesPath ?? "batches", data.Path);

    /// <summary>
    /// A batch names persons by ID number and name: its folder is the service user's only (0700), and so is its file
    /// (0600) from the moment it exists, as the store's files are (DESIGN §11).
    /// </summary>
    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static FileStreamOptions PrivateFile()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>Where this instance keeps the batch's body as a file, its folders made the service user's only.</summary>
    public string PathFor(BatchRecord batch)
    {
        var directory = Path.Combine(folder, Safe(batch.Source));
        // Each level on its own: a mode given to CreateDirectory is the last folder's only.
        CreatePrivateDirectory(folder);
        CreatePrivateDirectory(directory);
        return Path.Combine(directory, $"{Safe(batch.BatchId)}.{(batch.ContentType == BatchFile.Csv ? "csv" : "ndjson")}");
    }

    /// <summary>
    /// Streams the body to its file, hashing as it goes, and keeps it only when it is whole, within the cap and
    /// matches the manifest's SHA-256; the file is flushed to disk before the answer, so an answered batch survives
    /// kill -9. The file's path, or why not (the partial file is deleted).
    /// </summary>
    public async Task<Result<string>> ReceiveAsync(BatchRecord batch, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var path = PathFor(batch);
        var partial = path + ".part";
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(partial, PrivateFile()))
            {
                var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    long total = 0;
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        total += read;
                        if (total > maxBytes)
                        {
                            return SharingProblems.BodyTooLarge(maxBytes);
                        }

                        sha.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }

                file.Flush(flushToDisk: true);
            }

            if (BatchManifest.Sha256Text(sha.GetHashAndReset()) != batch.Sha256)
            {
                return SharingProblems.HashMismatch;
            }

            File.Move(partial, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The connection dropped mid-body, or the body broke off: nothing of it is kept.
            return e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? SharingProblems.BodyTooLarge(maxBytes)
                : SharingProblems.UploadIncomplete;
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    /// <summary>Source codes and batch ids are 1–64 of [A-Za-z0-9._-] (BatchManifest.IsValidId); a path part never starts with a dot.</summary>
    private static string Safe(string id) => id.StartsWith('.') ? "_" + id : id;
}

/// <summary>The states a client sees (DESIGN §9): rescoring is still applying.</summary>
internal static class BatchStatus
{
    public static string Public(string status) => status == "rescoring" ? "applying" : status;
}

internal static class UploadBatchEndpoint
{
    public static void MapUploadBatch(this RouteGroupBuilder group) => group
        .MapPost("/sources/{code}/batches", async Task<Results<Accepted<BatchAnswer>, Ok<BatchAnswer>, ProblemHttpResult>> (
            string code, HttpContext context, IMediator mediator, IOptions<HealthCodeOptions> options, CancellationToken ct) =>
        {
            // A batch is the one body allowed past the service's small cap, up to its own (DESIGN §9, 2 GiB by default).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = options.Value.Sharing.MaxBatchBytes;
            }

            var result = await mediator.Send(new UploadBatch(
                code, context.Request.GetTypedHeaders().ContentType?.MediaType.Value, context.Request.Headers["Sharing-Manifest"].ToString() is { Length: > 0 } manifest ? manifest : null,
                context.Request.Body, context.User), ct);
            if (result.Problem is { } problem || !result.Value!.Created)
            {
                // The body was not read (or not to its end): close the connection rather than drain gigabytes.
                context.Response.Headers.Connection = "close";
            }

            if (result.Problem is { } refused)
            {
                return refused.ToResult();
            }

            var answer = result.Value!;
            var location = $"/api/v1/sources/{code}/batches/{answer.BatchId}";
            return answer.Created ? TypedResults.Accepted(location, answer) : TypedResults.Ok(answer);
        })
        .Accepts<string>("text/csv", "application/x-ndjson")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .WithCallerRoles(OperatorRoles.Department("<provider>"))
        .WithName("UploadBatch")
        .WithSummary("Upload a department's signed batch for a catalogue entry")
        .WithDescription("Role department:<provider of the entry>. Body: the file (text/csv with a header row, or application/x-ndjson), streamed; header Sharing-Manifest: a compact JWS (typ hc-batch+jwt, ES256, the department's key) with {source, batchId, sha256, rows, producedAt} (docs/BATCH-FORMAT.md). 202 {batchId, status} once the body is stored whole and matches; then GET .../batches/{batchId} until applied or rejected. The same batchId again: 200 with its state, applied once.");
}
