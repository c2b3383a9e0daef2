using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;

namespace HealthCode.Cli.Commands;

/// <summary>
/// <c>healthcode load verify --url http://127.0.0.1:PORT --token &lt;staff token&gt; [...]</c>: a bounded load test of
/// <c>POST /api/v1/verify</c> (issue 3, performance). It first measures the single-thread raw <c>ECDsa.VerifyData</c>
/// rate on a sample token, then drives the endpoint with locally signed valid codes, and reports throughput,
/// p50/p99 latency, errors and the ratio of the two rates. Loopback only: it is not a tool to aim at others.
/// </summary>
internal static class LoadVerifyCommand
{
    private const int MaxSeconds = 300;
    private const int MaxWarmupSeconds = 60;
    private const int MaxConcurrency = 256;
    private const int PoolSize = 512;
    private const string Verb = "load verify";
    private static readonly TimeSpan RawMeasureTime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create(CliContext cli)
    {
        var url = CliOptions.Required("--url", "http://127.0.0.1:<port>", "The service on this machine (loopback only)");
        var token = CliOptions.Required("--token", "staff token", "A checkpoint staff token");
        var checkpoint = CliOptions.Optional("--checkpoint", "id", "The checkpoint the scans come from (default CP1)");
        var seconds = CliOptions.Int("--seconds", 10, 1, MaxSeconds, "How long to measure, in seconds");
        var warmup = CliOptions.Int("--warmup", 3, 0, MaxWarmupSeconds, "How long to warm up first, in seconds");
        var concurrency = CliOptions.Int("--concurrency", 8, 1, MaxConcurrency, "Requests in flight at once");
        var keys = CliOptions.Optional("--keys", "dir", "The issuer keys that sign the test codes (default keys-sample/<province>)");
        var province = CliOptions.Optional("--province", "code", "The province whose codes are sent (default 410000)");
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command(
            "verify",
            "Load test of POST /api/v1/verify on this machine: req/s, p50, p99, errors, and the ratio to the single-thread raw ECDsa.VerifyData rate.")
        {
            url, token, checkpoint, seconds, warmup, concurrency, keys, province, json,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            cli,
            new Request(
                parsed.GetRequiredValue(url), parsed.GetRequiredValue(token), parsed.GetValue(checkpoint) ?? "CP1", parsed.GetValue(seconds),
                parsed.GetValue(warmup), parsed.GetValue(concurrency), parsed.GetValue(keys), parsed.GetValue(province) ?? "410000", parsed.GetValue(json)),
            cancellationToken));
        return command;
    }

    private sealed record Request(
        string Url, string Token, string Checkpoint, int Seconds, int Warmup, int Concurrency, string? Keys, string Province, bool Json);

    private static async Task<int> RunAsync(CliContext cli, Request request, CancellationToken cancellationToken)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        TimeProvider time = cli.Time;
        (string url, string token, string checkpoint, int seconds, int warmup, int concurrency, _, string province, _) = request;
        if (string.IsNullOrWhiteSpace(token))
        {
            return CommandLine.Fail(cli, Verb, "--token needs a value, not an empty one.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? baseUri) || baseUri.Scheme != Uri.UriSchemeHttp
            || !IsLoopback(baseUri))
        {
            return CommandLine.Fail(cli, Verb, $"--url must be a plain http address on this machine (127.0.0.1, [::1] or localhost), not \"{url}\".");
        }

        if (!IssuerId.IsValid(province))
        {
            return CommandLine.Fail(cli, Verb, $"--province must be a 6-digit GB/T 2260 code, not \"{province}\".");
        }

        string keysFolder = request.Keys ?? Path.Combine("keys-sample", province);

        ProvinceKeys keys;
        try
        {
            keys = ProvinceKeys.Load(keysFolder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return CommandLine.Failed;
        }

        using (keys)
        {
            if (!keys.HasActiveIssuer)
            {
                stderr.WriteLine($"error: no issuer-N.private.jwk in {keysFolder}: cannot sign test codes.");
                return CommandLine.Failed;
            }

            var signer = new HealthCodeSigner(keys.ActiveIssuer);
            DateTimeOffset now = time.GetUtcNow();
            double rawPerSecond = MeasureRawVerify(signer, keys.ActiveIssuer, province, now);

            // Codes outlive the run by a margin, so none expires while the test is going.
            TimeSpan lifetime = TimeSpan.FromSeconds(warmup + seconds) + TimeSpan.FromMinutes(10);
            byte[][] bodies = [.. Enumerable.Range(0, PoolSize).Select(i => Body(signer.SignQr(Claims(province, now, lifetime, i)), checkpoint))];

            LoadResult load = await DriveAsync(new Uri(baseUri, "/api/v1/verify"), token, bodies, warmup, seconds, concurrency, cancellationToken).ConfigureAwait(false);
            var report = new LoadReport(
                Url: new Uri(baseUri, "/api/v1/verify").ToString(),
                Seconds: Math.Round(load.Elapsed.TotalSeconds, 2),
                WarmupSeconds: warmup,
                WarmupRequests: load.WarmupRequests,
                Concurrency: concurrency,
                Requests: load.Latencies.Length + load.Failures,
                Errors: load.Errors,
                ThroughputPerSecond: Math.Round(load.Latencies.Length / load.Elapsed.TotalSeconds, 1),
                P50Ms: Math.Round(Percentile(load.Latencies, 0.50), 3),
                P99Ms: Math.Round(Percentile(load.Latencies, 0.99), 3),
                RawVerifyPerSecond: Math.Round(rawPerSecond, 1),
                RatioToRawSingleThread: Math.Round(load.Latencies.Length / load.Elapsed.TotalSeconds / rawPerSecond, 3),
                FirstErrors: load.FirstErrors);

            if (request.Json)
            {
                stdout.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            }
            else
            {
                WriteText(stdout, report);
            }

            return report.Errors == 0 ? CommandLine.Ok : CommandLine.Failed;
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));

    private static HealthCodeClaims Claims(string province, DateTimeOffset now, TimeSpan lifetime, int i) => new(
        province,
        Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant(),
        now,
        now + lifetime,
        (CodeColor)(i % 3),
        "张*艺",
        (1000 + (i % 9000)).ToString(CultureInfo.InvariantCulture),
        0);

    private static byte[] Body(string qr, string checkpoint) =>
        JsonSerializer.SerializeToUtf8Bytes(new VerifyRequest(qr, checkpoint), JsonOptions);

    /// <summary>The yardstick: one thread doing nothing but <c>ECDsa.VerifyData</c> on a real token's signing input.</summary>
    private static double MeasureRawVerify(HealthCodeSigner signer, EcKey key, string province, DateTimeOffset now)
    {
        string jws = signer.Sign(Claims(province, now, TimeSpan.FromMinutes(5), 0));
        int lastDot = jws.LastIndexOf('.');
        byte[] input = Encoding.ASCII.GetBytes(jws[..lastDot]);
        byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(jws.AsSpan(lastDot + 1));
        ECDsa ecdsa = key.Ecdsa;
        for (int i = 0; i < 200; i++)
        {
            ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation); // warm-up
        }

        long count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < RawMeasureTime)
        {
            for (int i = 0; i < 100; i++)
            {
                if (!ecdsa.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                {
                    throw new CryptographicException("The sample token does not verify with its own key.");
                }
            }

            count += 100;
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<LoadResult> DriveAsync(
        Uri endpoint, string token, byte[][] bodies, int warmup, int seconds, int concurrency, CancellationToken cancellationToken)
    {
        byte[][] requests = [.. bodies.Select(body => Http1Connection.JsonPost(endpoint, token, body))];
        var connections = new Http1Connection?[concurrency];
        // A service that stops answering cannot hold the tool past its time: whatever is still
        // waiting then is given up and counted as an error.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(warmup + seconds) + AnswerGrace);
        cancellationToken = bound.Token;
        try
        {
            // Warm-up, not counted: the same load for a while, so that the service's JIT has tiered up
            // its path and the figures are those of a service that has been running.
            Phase warm = await RunPhaseAsync(connections, endpoint, requests, TimeSpan.FromSeconds(warmup), cancellationToken).ConfigureAwait(false);
            Phase measured = await RunPhaseAsync(connections, endpoint, requests, TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
            return new LoadResult(measured.Latencies, measured.Errors, measured.Failures, measured.Elapsed, measured.FirstErrors, warm.Latencies.Length + warm.Failures);
        }
        finally
        {
            foreach (Http1Connection? connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    /// <summary>Every worker sends request after request on its own connection until <paramref name="length"/> is over.</summary>
    private static async Task<Phase> RunPhaseAsync(
        Http1Connection?[] connections, Uri endpoint, byte[][] requests, TimeSpan length, CancellationToken cancellationToken)
    {
        int errors = 0, failures = 0, next = 0;
        var firstErrors = new List<string>();
        var clock = Stopwatch.StartNew();
        List<double>[] latencies = await Task.WhenAll(Enumerable.Range(0, connections.Length).Select(async worker =>
        {
            var mine = new List<double>(4096);
            while (clock.Elapsed < length && !cancellationToken.IsCancellationRequested)
            {
                byte[] request = requests[(Interlocked.Increment(ref next) & int.MaxValue) % requests.Length];
                long start = Stopwatch.GetTimestamp();
                string? problem = await SendAsync(connections, worker, endpoint, request, cancellationToken).ConfigureAwait(false);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (problem is null)
                {
                    mine.Add(ms);
                    continue;
                }

                Interlocked.Increment(ref errors);
                if (problem.StartsWith("exception", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref failures); // no response: not a latency sample
                }
                else
                {
                    mine.Add(ms);
                }

                lock (firstErrors)
                {
                    if (firstErrors.Count < 3)
                    {
                        firstErrors.Add(problem);
                    }
                }
            }

            return mine;
        })).ConfigureAwait(false);
        clock.Stop();

        double[] all = [.. latencies.SelectMany(l => l)];
        Array.Sort(all);
        return new Phase(all, errors, failures, clock.Elapsed, firstErrors);
    }

    /// <summary>
    /// One request on worker <paramref name="worker"/>'s connection, opened again when it broke or the
    /// service closed it; null when the answer is 200 with <c>valid: true</c>, else what went wrong.
    /// </summary>
    private static async Task<string?> SendAsync(
        Http1Connection?[] connections, int worker, Uri endpoint, byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            Http1Connection connection = connections[worker] ??= await Http1Connection.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
            Http1Answer answer = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (answer.ServerCloses)
            {
                Drop(connections, worker);
            }

            if (answer.Status != (int)HttpStatusCode.OK)
            {
                return $"HTTP {answer.Status}: {Shorten(answer.Body)}";
            }

            using JsonDocument document = JsonDocument.Parse(answer.Body);
            return document.RootElement.TryGetProperty("valid", out JsonElement valid) && valid.ValueKind == JsonValueKind.True
                ? null
                : $"not valid: {Shorten(answer.Body)}";
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or JsonException or OperationCanceledException)
        {
            Drop(connections, worker);
            return $"exception {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static void Drop(Http1Connection?[] connections, int worker)
    {
        connections[worker]?.Dispose();
        connections[worker] = null;
    }

    private static string Shorten(byte[] body)
    {
        string text = Encoding.UTF8.GetString(body);
        return text.Length <= 300 ? text : text[..300] + "…";
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static void WriteText(TextWriter stdout, LoadReport r)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(c, $"raw ECDsa.VerifyData, 1 thread:   {r.RawVerifyPerSecond,10:F0} /s"));
        stdout.WriteLine(string.Create(c, $"HTTP verify ({r.Concurrency} concurrent, {r.Seconds:F1} s after {r.WarmupSeconds} s warm-up): {r.ThroughputPerSecond,10:F0} req/s   {r.Url}"));
        stdout.WriteLine(string.Create(c, $"latency p50 {r.P50Ms:F2} ms, p99 {r.P99Ms:F2} ms"));
        stdout.WriteLine(string.Create(c, $"requests {r.Requests}, errors {r.Errors} (non-200, valid=false or no answer)"));
        stdout.WriteLine(string.Create(c, $"ratio HTTP throughput / raw single-thread verify: {r.RatioToRawSingleThread:F3}"));
        foreach (string e in r.FirstErrors)
        {
            stdout.WriteLine($"  error: {e}");
        }
    }

    private sealed record VerifyRequest(string Qr, string CheckpointId);

    private sealed record Phase(double[] Latencies, int Errors, int Failures, TimeSpan Elapsed, List<string> FirstErrors);

    private sealed record LoadResult(double[] Latencies, int Errors, int Failures, TimeSpan Elapsed, List<string> FirstErrors, int WarmupRequests);

    private sealed record LoadReport(
        string Url,
        double Seconds,
        int WarmupSeconds,
        int WarmupRequests,
        int Concurrency,
        int Requests,
        int Errors,
        double ThroughputPerSecond,
        double P50Ms,
        double P99Ms,
        double RawVerifyPerSecond,
        double RatioToRawSingleThread,
        IReadOnlyList<string> FirstErrors);
}
