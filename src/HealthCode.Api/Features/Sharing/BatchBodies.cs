using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Sharing;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// A received batch's body kept in the store, encrypted, until the batch is applied or rejected. The instance that
/// received it applies it from its own file; when that instance is gone with its data folder (a pod rescheduled, a
/// machine lost), the instance that takes the batch over (<see cref="BatchApplier"/>) writes the body back to a file
/// of its own from here, checks it against the manifest's SHA-256, and applies it: a batch applies once and whole on
/// whichever instance is left.
/// </summary>
/// <remarks>
/// Parts of 1 MiB, each protected with the current data key (<see cref="FieldCipher.ProtectBytes"/>, AES-256-GCM),
/// bound to its batch and position so that no part is read in another's place; the body names persons by ID number
/// and name, which are never in clear in either store (DESIGN §11). Each part commits on its own: the batch reads
/// <c>applying</c> only once every part is in.
/// </remarks>
internal sealed class BatchBodies(IStoreDatabase database, FieldCipher cipher)
{
    private const int PartBytes = 1024 * 1024;

    /// <summary>Copies the received file into the store, part by part.</summary>
    /// <remarks>
    /// A batchId is received once (<see cref="Infrastructure.Store.IBatchStore.BeginAsync"/>), and a save cut off leaves
    /// the batch <c>receiving</c>, which is rejected with its parts (BatchApplier): no parts are here before the first.
    /// </remarks>
    public async Task SaveAsync(BatchRecord batch, string file, CancellationToken cancellationToken)
    {
        var buffer = new byte[PartBytes];
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        for (long part = 0; ; part++)
        {
            int read = await stream.ReadAtLeastAsync(buffer, PartBytes, throwOnEndOfStream: false, cancellationToken);
            if (read == 0 && part > 0)
            {
                return;
            }

            var data = cipher.ProtectBytes(PrivacyField.BatchBody, buffer.AsSpan(0, read), Context(batch, part));
            using (await database.TakeWriteTurnAsync(cancellationToken))
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO batch_bodies (source, batch_id, part, data) VALUES (@Source, @BatchId, @part, @data)",
                    new { batch.Source, batch.BatchId, part, data }, cancellationToken: cancellationToken));
            }

            if (read < PartBytes)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Writes the body back to <paramref name="file"/> (<see cref="BatchFiles.PathFor"/>) and checks it against the manifest's
    /// SHA-256; false, with no file, when it is not all there or not the body the department signed.
    /// </summary>
    public async Task<bool> RestoreAsync(BatchRecord batch, string file, CancellationToken cancellationToken)
    {
        var partial = file + ".part";
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var output = new FileStream(partial, BatchFiles.PrivateFile()))
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                long expected = 0;
                // One part at a time, never the body in memory.
                while (await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
                    "SELECT data FROM batch_bodies WHERE source = @Source AND batch_id = @BatchId AND part = @expected",
                    new { batch.Source, batch.BatchId, expected }, cancellationToken: cancellationToken)) is { } data)
                {
                    var plain = cipher.UnprotectBytes(PrivacyField.BatchBody, data, Context(batch, expected));
                    sha.AppendData(plain);
                    await output.WriteAsync(plain, cancellationToken);
                    CryptographicOperations.ZeroMemory(plain);
                    expected++;
                }
            }

            if (BatchManifest.Sha256Text(sha.GetHashAndReset()) != batch.Sha256)
            {
                return false;
            }

            File.Move(partial, file, overwrite: true);
            return true;
        }
        catch (ProtectedValueException)
        {
            return false;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Removes the body: the batch was applied or rejected.</summary>
    public async Task DeleteAsync(string source, string batchId, CancellationToken cancellationToken)
    {
        using (await database.TakeWriteTurnAsync(cancellationToken))
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM batch_bodies WHERE source = @source AND batch_id = @batchId", new { source, batchId }, cancellationToken: cancellationToken));
        }
    }

    /// <summary>A part's place, bound into its ciphertext: the batch and the part's number.</summary>
    private static string Context(BatchRecord batch, long part) =>
        string.Create(CultureInfo.InvariantCulture, $"{batch.Source}/{batch.BatchId}/{part}");
}
