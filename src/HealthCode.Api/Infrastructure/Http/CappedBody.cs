namespace HealthCode.Api.Infrastructure.Http;

/// <summary>Reads what another service answered, never more than a cap: a partner is trusted for no more bytes than its format needs.</summary>
internal static class CappedBody
{
    /// <summary>The body as UTF-8 text; null when it is longer than <paramref name="maxBytes"/> (announced or not).</summary>
    public static async Task<string?> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        // Grows with the body (a few KB), never past the cap, and never a large-object buffer per read.
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (body.Length + read > maxBytes)
                {
                    return null;
                }

                body.Write(buffer, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return System.Text.Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length);
    }
}
