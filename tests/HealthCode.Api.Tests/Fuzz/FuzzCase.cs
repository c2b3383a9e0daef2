using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace HealthCode.Api.Tests.Fuzz;

/// <summary>A header exactly as sent: its value is bytes, so that a case can carry bytes that are not UTF-8.</summary>
internal sealed record FuzzHeader(string Name, byte[] Value)
{
    public static FuzzHeader Text(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
}

/// <summary>
/// One generated request. <see cref="Target"/> is sent byte for byte (path and query, percent-encoding as
/// generated); the credential of <see cref="Role"/> is added unless <see cref="Headers"/> carries its own
/// Authorization header.
/// </summary>
internal sealed record FuzzCase(
    int Index,
    string Endpoint,
    string Method,
    string Target,
    FuzzRole Role,
    IReadOnlyList<FuzzHeader> Headers,
    byte[]? Body,
    bool Chunked)
{
    public bool HasOwnAuthorization => Headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase));

    public HttpRequestMessage ToRequest(Uri baseAddress, Func<FuzzRole, string?> token)
    {
        var uri = new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + Target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(new HttpMethod(Method), uri);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            request.Headers.TransferEncodingChunked = Chunked;
        }

        if (!HasOwnAuthorization && token(Role) is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        foreach (var header in Headers)
        {
            // Sent as Latin-1 (FuzzClient's encoding selector): one char per byte, so the bytes go out unchanged.
            var value = Encoding.Latin1.GetString(header.Value);
            if (header.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Name, value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(header.Name, value);
            }
        }

        return request;
    }

    /// <summary>
    /// Everything needed to send this case again by hand: the seed and index (to replay it in the test), the
    /// request as text, the body as base64 (and escaped when it is short), and a curl command.
    /// </summary>
    public string Reproducer(int seed, Uri baseAddress, string? bodyFile)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"case {Index} of seed {seed} ({Endpoint}); replay alone with " +
            $"{FuzzSettings.SeedVariable}={seed} {FuzzSettings.CaseVariable}={Index} dotnet test tests/HealthCode.Api.Tests -c Release --filter Fuzz");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {Method} {Target}  (as {Role}{(Chunked ? ", body chunked" : "")})");
        foreach (var header in Headers)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {header.Name}: {Escape(header.Value, 200)}  (base64 {Convert.ToBase64String(header.Value)})");
        }

        if (Body is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  body: {Body.Length} bytes{(bodyFile is null ? "" : $", written to {bodyFile}")}");
            if (Body.Length <= 4096)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  body base64: {Convert.ToBase64String(Body)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  body escaped: {Escape(Body, 600)}");
            }
        }

        var curl = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"curl -sS -i -X {Method} --path-as-is '{baseAddress.GetLeftPart(UriPartial.Authority)}{Target.Replace("'", "'\\''", StringComparison.Ordinal)}'");
        if (!HasOwnAuthorization && Role != FuzzRole.Anonymous)
        {
            curl.Append(CultureInfo.InvariantCulture, $" -H 'Authorization: Bearer <{Role} token>'");
        }

        foreach (var header in Headers)
        {
            curl.Append(CultureInfo.InvariantCulture, $" -H \"{header.Name}: $(printf '%s' {Convert.ToBase64String(header.Value)} | base64 -d)\"");
        }

        if (Body is not null)
        {
            if (Chunked)
            {
                curl.Append(" -H 'Transfer-Encoding: chunked'");
            }

            curl.Append(CultureInfo.InvariantCulture, $" --data-binary @{bodyFile ?? "body.bin"}");
        }

        text.Append("  ").Append(curl);
        return text.ToString();
    }

    /// <summary>Printable ASCII as is, everything else as \xNN, cut at <paramref name="max"/> bytes.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int max)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b is >= 0x20 and < 0x7F and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return bytes.Length > max ? text.Append(CultureInfo.InvariantCulture, $"… ({bytes.Length - max} more bytes)").ToString() : text.ToString();
    }
}
