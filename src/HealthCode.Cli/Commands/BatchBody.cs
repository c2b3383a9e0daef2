using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using nietras.SeparatedValues;

namespace HealthCode.Cli.Commands;

/// <summary>The two body formats of DESIGN §9, told apart by the file's extension.</summary>
internal enum BatchFormat
{
    /// <summary><c>.csv</c>: UTF-8 CSV with a header row, sent as <c>text/csv</c>.</summary>
    Csv,

    /// <summary><c>.ndjson</c> or <c>.jsonl</c>: one JSON object a line, sent as <c>application/x-ndjson</c>.</summary>
    Ndjson,
}

/// <summary>What a batch is about, from the command line: the file, its format, the catalogue entry and the batch id.</summary>
internal sealed record BatchInput(string File, BatchFormat Format, string Source, string BatchId);

/// <summary>The SHA-256 (base64url), the data rows and the length in bytes of a body, read once from its file.</summary>
internal sealed record BodyDigest(string Sha256, long Rows, long Length);

/// <summary>
/// The body of a batch (docs/BATCH-FORMAT.md §3): read once, as a stream, to hash every byte and count the rows the manifest
/// signs. A CSV's rows are the records Sep reads after the header (a quoted field may span lines), an NDJSON body's rows
/// its lines; in both, a blank line is not a row. The file is never held in memory.
/// </summary>
internal static class BatchBody
{
    /// <summary>The options that name a batch, alike in <c>batch sign</c> and <c>batch upload</c>.</summary>
    public static (Option<string> Source, Option<string> File, Option<string> BatchId) InputOptions() => (
        CliOptions.Required("--source", "code", "The catalogue entry the batch feeds, e.g. 410000-CDC-002"),
        CliOptions.Required("--file", "data.csv|data.ndjson", "The batch body: UTF-8 CSV with a header row, or NDJSON (.ndjson, .jsonl)"),
        CliOptions.Optional("--batch-id", "id", "The batch's id, 1-64 characters [A-Za-z0-9._-] (default: the time and a random tail)"));

    /// <summary>Large reads: a body may be gigabytes, and the disk is read sequentially once.</summary>
    public const int BufferSize = 1 << 20;

    public static string ContentType(BatchFormat format) => format == BatchFormat.Csv ? "text/csv" : "application/x-ndjson";

    /// <summary>
    /// Checks <c>--source</c>, <c>--file</c> and <c>--batch-id</c> (a new one when absent); null and the reason when one
    /// is malformed, or the file does not exist or has no known extension.
    /// </summary>
    public static BatchInput? ReadInput(string source, string file, string? batchId, DateTimeOffset now, out string? error)
    {
        batchId ??= NewBatchId(now);
        error = file.Length == 0 ? "--file needs a file name."
            : !BatchManifest.IsValidId(source) ? $"--source must be a catalogue code of 1-{BatchManifest.MaxIdLength} characters [A-Za-z0-9._-], not \"{source}\"."
            : !BatchManifest.IsValidId(batchId) ? $"--batch-id must be 1-{BatchManifest.MaxIdLength} characters [A-Za-z0-9._-], not \"{batchId}\"."
            : !File.Exists(file) ? $"file {file} does not exist."
            : FormatOf(file) is null ? $"--file must end in .csv, .ndjson or .jsonl, not \"{Path.GetFileName(file)}\"."
            : null;
        return error is null ? new BatchInput(file, FormatOf(file)!.Value, source, batchId) : null;
    }

    /// <summary>A batch id that sorts by time and does not repeat: <c>20200301T083000Z-3f9a1c2b</c>.</summary>
    public static string NewBatchId(DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    /// <summary>Hashes and counts the body in one pass; <paramref name="progress"/> hears the bytes read so far.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The CSV cannot be read (Sep's complaint).</exception>
    public static BodyDigest Digest(BatchInput input, Action<long>? progress, CancellationToken cancellationToken)
    {
        using var file = new FileStream(input.File, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hashing = new ReadThroughStream(file, (bytes, total) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            hash.AppendData(bytes);
            progress?.Invoke(total);
        });
        long rows = input.Format == BatchFormat.Csv ? CountCsvRows(hashing) : CountNdjsonRows(hashing);
        hashing.ReadToEnd(); // anything the parser left unread is still part of the signed body
        return new BodyDigest(BatchManifest.Sha256Text(hash.GetHashAndReset()), rows, hashing.Position);
    }

    /// <summary>The manifest of a body, signed with the department's key (DESIGN §9).</summary>
    public static string SignManifest(BatchInput input, BodyDigest digest, EcKey departmentKey, DateTimeOffset now) =>
        BatchManifestCodec.Sign(new BatchManifest(input.Source, input.BatchId, digest.Sha256, digest.Rows, now), departmentKey);

    private static BatchFormat? FormatOf(string file) => Path.GetExtension(file).ToUpperInvariant() switch
    {
        ".CSV" => BatchFormat.Csv,
        ".NDJSON" or ".JSONL" => BatchFormat.Ndjson,
        _ => null,
    };

    private static long CountCsvRows(Stream body)
    {
        // The column count is the service's to check, row by row; here every record is counted.
        using SepReader reader = Sep.Reader(o => o with { DisableColCountCheck = true }).From(body);
        long rows = 0;
        foreach (SepReader.Row row in reader)
        {
            if (row.Span.Length > 0)
            {
                rows++;
            }
        }

        return rows;
    }

    private static long CountNdjsonRows(Stream body)
    {
        byte[] buffer = new byte[BufferSize];
        long rows = 0;
        bool lineHasContent = false;
        int read;
        while ((read = body.Read(buffer)) > 0)
        {
            foreach (byte b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    rows += lineHasContent ? 1 : 0;
                    lineHasContent = false;
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    lineHasContent = true; // RFC 8259 §2 whitespace alone is a blank line
                }
            }
        }

        return rows + (lineHasContent ? 1 : 0); // the last line may lack its line feed
    }
}

/// <summary>
/// Reads through to a stream and shows every read, its bytes and the running total, to <paramref name="passed"/>: how a
/// body is hashed and counted once, and how its upload reports progress. Owns nothing: disposing it leaves the inner stream
/// open (Sep disposes the stream it reads).
/// </summary>
internal sealed class ReadThroughStream(Stream inner, Action<ReadOnlySpan<byte>, long> passed) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public void ReadToEnd()
    {
        byte[] buffer = new byte[BatchBody.BufferSize];
        while (Read(buffer) > 0)
        {
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Passed(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Passed(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Passed(Span<byte> buffer, int read)
    {
        _position += read;
        passed(buffer[..read], _position);
        return read;
    }
}
