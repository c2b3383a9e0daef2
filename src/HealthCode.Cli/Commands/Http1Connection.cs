using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace HealthCode.Cli.Commands;

/// <summary>What one request got back: the status code and the whole body.</summary>
internal sealed record Http1Answer(int Status, byte[] Body, bool ServerCloses);

/// <summary>
/// One keep-alive HTTP/1.1 connection for the load tool: it writes a request built once, whole,
/// and reads back the status and the body (by <c>Content-Length</c> or chunked), and no more.
/// <c>HttpClient</c> spent several times the CPU of this per request; on a 2-core machine every
/// microsecond the client spends is taken from the service it measures (docs/PERFORMANCE.md).
/// A malformed or oversized answer throws <see cref="InvalidDataException"/>; a closed
/// connection throws <see cref="IOException"/>.
/// </summary>
internal sealed class Http1Connection(Stream stream) : IDisposable
{
    private const int MaxHead = 16 * 1024;
    private const int MaxBody = 1024 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

    // Bytes read but not yet used are buffer[start..end].
    private readonly byte[] buffer = new byte[MaxHead];
    private int start;
    private int end;

    public static async Task<Http1Connection> OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(uri.DnsSafeHost, uri.Port, cancellationToken).ConfigureAwait(false);
            return new Http1Connection(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The bytes of a <c>POST</c> of a JSON body with a bearer token, ready to be sent as often as needed.</summary>
    public static byte[] JsonPost(Uri uri, string bearerToken, byte[] body)
    {
        string head = string.Create(CultureInfo.InvariantCulture,
            $"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Bearer {bearerToken}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    public async Task<Http1Answer> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);

        int headLength = await FindAsync(HeadEnd, cancellationToken).ConfigureAwait(false);
        Head head = Head.Parse(buffer.AsSpan(start, headLength));
        start += headLength + HeadEnd.Length;

        byte[] body = head.Chunked
            ? await ReadChunkedAsync(cancellationToken).ConfigureAwait(false)
            : await ReadExactAsync(head.ContentLength, cancellationToken).ConfigureAwait(false);
        return new Http1Answer(head.Status, body, head.ServerCloses);
    }

    public void Dispose() => stream.Dispose();

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            int size = ChunkSize(await ReadLineAsync(cancellationToken).ConfigureAwait(false));
            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return body.ToArray();
            }

            if (body.Length + size > MaxBody)
            {
                throw new InvalidDataException($"The answer's body is over {MaxBody} bytes.");
            }

            body.Write(await ReadExactAsync(size, cancellationToken).ConfigureAwait(false));
            if ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length != 0)
            {
                throw new InvalidDataException("A chunk does not end where its size says.");
            }
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        byte[] result = new byte[count];
        int copied = Math.Min(count, end - start);
        buffer.AsSpan(start, copied).CopyTo(result);
        start += copied;
        if (copied < count)
        {
            await stream.ReadExactlyAsync(result.AsMemory(copied), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int length = await FindAsync(LineEnd, cancellationToken).ConfigureAwait(false);
        string line = Encoding.ASCII.GetString(buffer, start, length);
        start += length + LineEnd.Length;
        return line;
    }

    /// <summary>Reads until <paramref name="marker"/> is in the buffer; its offset from <c>start</c>.</summary>
    private async Task<int> FindAsync(byte[] marker, CancellationToken cancellationToken)
    {
        int found;
        while ((found = buffer.AsSpan(start, end - start).IndexOf(marker)) < 0)
        {
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                throw new InvalidDataException($"No end of line within {MaxHead} bytes of the answer.");
            }

            int read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            end += read > 0 ? read : throw new IOException("The service closed the connection.");
        }

        return found;
    }

    private static int ChunkSize(string line)
    {
        string digits = line.Split(';', 2)[0].Trim();
        return int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) && size is >= 0 and <= MaxBody
            ? size
            : throw new InvalidDataException($"Not a chunk size: \"{line}\".");
    }

    private readonly record struct Head(int Status, int ContentLength, bool Chunked, bool ServerCloses)
    {
        public static Head Parse(ReadOnlySpan<byte> bytes)
        {
            string[] lines = Encoding.ASCII.GetString(bytes).Split("\r\n");
            string[] status = lines[0].Split(' ', 3);
            if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
                || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
            {
                throw new InvalidDataException($"Not an HTTP/1.x status line: \"{lines[0]}\".");
            }

            int length = 0;
            bool chunked = false, closes = false;
            foreach (string line in lines.AsSpan(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                string name = colon > 0 ? line[..colon].Trim() : throw new InvalidDataException($"Not a header: \"{line}\".");
                string value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= MaxBody
                        ? n
                        : throw new InvalidDataException($"Content-Length \"{value}\" is not a size up to {MaxBody}.");
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    closes = value.Equals("close", StringComparison.OrdinalIgnoreCase);
                }
            }

            return new Head(code, length, chunked, closes);
        }
    }
}
