using System.Buffers;

namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// A request body read whole into a pooled buffer, never past a cap, whether it was announced with
/// Content-Length or sent chunked. Dispose returns the buffer to the pool.
/// </summary>
internal readonly struct BufferedBody : IDisposable
{
    private const int ChunkedStart = 4096;

    private readonly byte[]? buffer;
    private readonly int length;

    private BufferedBody(byte[] buffer, int length)
    {
        this.buffer = buffer;
        this.length = length;
    }

    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);

    /// <summary>
    /// The body, or why it could not be had: longer than <paramref name="limit"/> (announced, counted, or refused
    /// by Kestrel's own cap with a <see cref="BadHttpRequestException"/>), or a request Kestrel could not read.
    /// </summary>
    public static async ValueTask<(BufferedBody Body, ApiProblem? Problem)> ReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return (default, RequestProblems.BodyTooLarge(limit));
        }

        // An announced body is read to its length (Kestrel ends the stream there); a chunked one until the stream
        // ends or passes the cap, in a buffer one byte longer than the cap allows.
        var expected = request.ContentLength ?? limit + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(expected, request.ContentLength ?? ChunkedStart));
        var length = 0;
        try
        {
            int read;
            while (length < expected && (read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (default, RequestProblems.BodyTooLarge(limit));
                }

                if (length == buffer.Length && length < expected)
                {
                    buffer = Grow(buffer, length, (int)Math.Min(limit + 1, 2L * buffer.Length));
                }
            }
        }
        catch (BadHttpRequestException refused)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (default, RequestProblems.From(refused, context));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (new BufferedBody(buffer, length), null);
    }

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length, int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
