using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;

namespace HealthCode.Cli.Commands;

/// <summary>The timings of <c>batch upload</c>; tests shorten them.</summary>
/// <param name="PollInterval">Between two status requests.</param>
/// <param name="IdleTimeout">The longest the upload may go without a byte read from the file or, after the last one, without the answer.</param>
/// <param name="ConnectTimeout">To open a connection.</param>
/// <param name="RequestTimeout">For one status request.</param>
internal sealed record UploadSettings(TimeSpan PollInterval, TimeSpan IdleTimeout, TimeSpan ConnectTimeout, TimeSpan RequestTimeout)
{
    public static UploadSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
}

/// <summary>How an upload ended: the exit code, the batch's last status when there is one, and the error line when it failed.</summary>
internal sealed record UploadOutcome(int ExitCode, BatchStatus? Status, string? Error)
{
    public static UploadOutcome Failed(string error) => new(CommandLine.Failed, null, error);
}

/// <summary>
/// <c>healthcode batch upload --url &lt;service&gt; --token &lt;operator token&gt; --key &lt;dept.private.jwk&gt; --source &lt;code&gt;
/// --file &lt;file&gt; [--batch-id &lt;id&gt;] [--manifest &lt;file&gt;] [--wait &lt;seconds&gt;]</c> (DESIGN §9): hashes the body and
/// signs its manifest (or checks the one given against the file and the key), streams the body to
/// <c>POST {url}/api/v1/sources/{code}/batches</c>, then follows <c>GET …/batches/{batchId}</c> until the batch is applied or
/// rejected, and prints the row errors. Exit 0 applied, 1 rejected or failed, 2 usage error.
/// </summary>
internal static class BatchUploadCommand
{
    public const int DefaultWaitSeconds = 600;
    public const int MaxWaitSeconds = 86_400;

    public static Command Create(CliContext cli)
    {
        var url = CliOptions.Required("--url", "service", "The service's address, e.g. https://healthcode.example");
        var token = CliOptions.Required("--token", "operator token", "The department operator's bearer token");
        var key = CliOptions.Required("--key", "dept.private.jwk", "The department's private key (signs the manifest, or checks --manifest)");
        (Option<string> source, Option<string> file, Option<string> batchId) = BatchBody.InputOptions();
        var manifest = CliOptions.Optional("--manifest", "file", "A manifest signed beforehand with 'batch sign'; checked against the file and the key");
        var wait = CliOptions.Int("--wait", DefaultWaitSeconds, 1, MaxWaitSeconds, "How long to follow the batch until applied or rejected", " seconds");
        var command = new Command(
            "upload",
            "Sign the batch (or check --manifest), stream it to POST <url>/api/v1/sources/<code>/batches, follow it until applied or rejected "
            + "and print its row errors. Exit 0 applied, 1 rejected or failed, 2 usage error.")
        {
            url, token, key, source, file, batchId, manifest, wait,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            cli,
            new Request(
                parsed.GetRequiredValue(url), parsed.GetRequiredValue(token), parsed.GetRequiredValue(key), parsed.GetRequiredValue(source),
                parsed.GetRequiredValue(file), parsed.GetValue(batchId), parsed.GetValue(manifest), parsed.GetValue(wait)),
            cancellationToken));
        return command;
    }

    private sealed record Request(string Url, string Token, string KeyFile, string Source, string File, string? BatchId, string? Manifest, int WaitSeconds);

    private static async Task<int> RunAsync(CliContext cli, Request request, CancellationToken cancellationToken)
    {
        TextWriter stdout = cli.Out;
        TextWriter stderr = cli.Error;
        (string url, string token, string keyFile, _, _, _, string? manifestFile, int waitSeconds) = request;
        BatchInput? input = BatchBody.ReadInput(request.Source, request.File, request.BatchId, cli.Time.GetUtcNow(), out string? error);
        error = token.Length == 0 || keyFile.Length == 0 ? "--token and --key need a value, not an empty one."
            : !Uri.TryCreate(url, UriKind.Absolute, out Uri? service) || service.Scheme is not ("http" or "https") || service.Query.Length > 0 || service.Fragment.Length > 0
                ? $"--url must be the service's http or https address, like https://healthcode.example, not \"{url}\"."
            : token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "--token must be one word, the operator's bearer token."
            : manifestFile is not null && request.BatchId is not null ? "give --batch-id or --manifest, not both: the manifest names its batch."
            : error is not null ? error
            : manifestFile is not null && !File.Exists(manifestFile) ? $"file {manifestFile} does not exist."
            : null;
        if (error is not null)
        {
            return CommandLine.Fail(cli, "batch upload", error);
        }

        TimeProvider time = cli.Time;
        UploadSettings settings = cli.Upload;
        bool live = cli.Live;
        var upload = new Upload(new Uri(url.TrimEnd('/') + "/"), token, input!, TimeSpan.FromSeconds(waitSeconds), time, settings);
        UploadOutcome outcome;
        try
        {
            using EcKey key = EcKey.Load(keyFile);
            string? manifest = manifestFile is null ? null : BatchSignCommand.ReadManifestFile(manifestFile) ?? string.Empty;
            using HttpClient client = CreateClient(settings);
            outcome = await UploadProgressView.RunAsync(live, stdout, progress => upload.RunAsync(client, key, keyFile, manifest, progress, cancellationToken))
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidKeyException or InvalidDataException)
        {
            outcome = UploadOutcome.Failed(ex.Message);
        }

        Print(outcome, input!, stdout, stderr);
        return outcome.ExitCode;
    }

    /// <summary>No overall timeout (a 2 GiB body takes as long as it takes): the connection has one, and each phase its own.</summary>
    private static HttpClient CreateClient(UploadSettings settings) =>
        new(new SocketsHttpHandler { ConnectTimeout = settings.ConnectTimeout, AutomaticDecompression = System.Net.DecompressionMethods.All })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("healthcode", "1") } },
        };

    private static void Print(UploadOutcome outcome, BatchInput input, TextWriter stdout, TextWriter stderr)
    {
        if (outcome.Status is { } status)
        {
            string verdict = status.Status == BatchStatus.AppliedStatus
                ? string.Create(CultureInfo.InvariantCulture, $"applied, {status.Applied:N0} of {status.Rows:N0} rows")
                : string.Create(CultureInfo.InvariantCulture, $"rejected, nothing applied ({status.Rejected:N0} of {status.Rows:N0} rows refused)");
            // The id the service answers with: a --manifest names its own, and the service has the last word.
            stdout.WriteLine(BatchServiceAnswers.OneLine($"batch {status.BatchId ?? input.BatchId} for {input.Source}: {verdict}"));
            IReadOnlyList<RowError> errors = status.Errors ?? [];
            if (errors.Count > 0)
            {
                stdout.WriteLine("row errors (line, field, code):");
                foreach (RowError row in errors)
                {
                    stdout.WriteLine(BatchServiceAnswers.OneLine(
                        string.Create(CultureInfo.InvariantCulture, $"  line {row.Line}  {(string.IsNullOrEmpty(row.Field) ? "-" : row.Field)}  {row.Code}")));
                }

                if (status.Rejected > errors.Count)
                {
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {status.Rejected - errors.Count:N0} more (the service lists the first {errors.Count:N0})"));
                }
            }
        }

        if (outcome.Error is not null)
        {
            stderr.WriteLine("error: " + outcome.Error);
        }
    }

    /// <summary>One upload: the body's digest, the manifest, the streamed POST, then the status polls.</summary>
    private sealed class Upload(Uri service, string token, BatchInput input, TimeSpan wait, TimeProvider time, UploadSettings settings)
    {
        private Uri Batches => new(service, $"api/v1/sources/{Uri.EscapeDataString(input.Source)}/batches");

        public async Task<UploadOutcome> RunAsync(
            HttpClient client, EcKey key, string keyFile, string? givenManifest, IUploadProgress progress, CancellationToken cancellationToken)
        {
            try
            {
                return await UploadAsync(client, key, keyFile, givenManifest, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return UploadOutcome.Failed($"cannot reach {service}: {BatchServiceAnswers.OneLine(ex.Message)}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return UploadOutcome.Failed($"{service} did not answer in time.");
            }
            catch (OperationCanceledException)
            {
                return UploadOutcome.Failed("cancelled.");
            }
        }

        private async Task<UploadOutcome> UploadAsync(
            HttpClient client, EcKey key, string keyFile, string? givenManifest, IUploadProgress progress, CancellationToken cancellationToken)
        {
            long length = new FileInfo(input.File).Length;
            BodyDigest digest = await Task.Run(() => BatchBody.Digest(input, bytes => progress.Hashing(bytes, length), cancellationToken), cancellationToken)
                .ConfigureAwait(false);

            string manifest;
            string batchId = input.BatchId;
            if (givenManifest is not null)
            {
                // Checked here first, so a manifest that the service would refuse is not sent with gigabytes behind it.
                var reader = new BatchManifestReader(time, BatchManifestReader.DefaultClockSkew, BatchManifestReader.DefaultMaxAge);
                BatchManifestResult read = await reader.ReadAsync(givenManifest, key, input.Source).ConfigureAwait(false);
                if (!read.IsValid)
                {
                    return UploadOutcome.Failed($"the manifest does not verify with {keyFile} for source {input.Source}: {read.Error.Value.ToCode()}");
                }

                if (read.Manifest.Sha256 != digest.Sha256 || read.Manifest.Rows != digest.Rows)
                {
                    return UploadOutcome.Failed(
                        $"the manifest signs sha256 {read.Manifest.Sha256} and {read.Manifest.Rows} rows, but {input.File} has sha256 {digest.Sha256} and {digest.Rows} rows.");
                }

                manifest = givenManifest;
                batchId = read.Manifest.BatchId;
            }
            else if (!key.HasPrivateKey)
            {
                return UploadOutcome.Failed($"{keyFile} holds no private key: give the department's .private.jwk, or a signed --manifest.");
            }
            else
            {
                manifest = BatchBody.SignManifest(input, digest, key, time.GetUtcNow());
            }

            (string? refused, string? accepted) = await PostAsync(client, manifest, digest.Length, progress, cancellationToken).ConfigureAwait(false);
            return refused is not null
                ? UploadOutcome.Failed(refused)
                : await FollowAsync(client, accepted ?? batchId, progress, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Streams the file as the body. Taken (2xx): the batch id the service answered with, when it did; refused: the line
        /// that says why.
        /// </summary>
        private async Task<(string? Refused, string? BatchId)> PostAsync(HttpClient client, string manifest, long length, IUploadProgress progress, CancellationToken cancellationToken)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(settings.IdleTimeout);
            using var file = new FileStream(input.File, FileMode.Open, FileAccess.Read, FileShare.Read, BatchBody.BufferSize, FileOptions.SequentialScan | FileOptions.Asynchronous);
            using var body = new ReadThroughStream(file, (_, sent) =>
            {
                progress.Uploading(sent, length);
                idle.CancelAfter(settings.IdleTimeout); // a stalled upload times out; a slow, steady one does not
            });
            using var content = new StreamContent(body, BatchBody.BufferSize);
            content.Headers.ContentType = new MediaTypeHeaderValue(BatchBody.ContentType(input.Format));
            content.Headers.ContentLength = length;
            using var request = new HttpRequestMessage(HttpMethod.Post, Batches) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Sharing-Manifest", manifest);

            // RFC 9110 §10.1.1: the service can refuse the manifest or the token before a byte of the body is sent.
            request.Headers.ExpectContinue = true;
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token).ConfigureAwait(false);
            string answer = await ReadBodyAsync(response, idle.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? (null, BatchServiceAnswers.ReadStatus(answer)?.BatchId is { } id && BatchManifest.IsValidId(id) ? id : null)
                : (BatchServiceAnswers.RefusalLine((int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType, answer), null);
        }

        /// <summary>Polls the batch's status until it is applied or rejected, or <c>--wait</c> has passed.</summary>
        private async Task<UploadOutcome> FollowAsync(HttpClient client, string batchId, IUploadProgress progress, CancellationToken cancellationToken)
        {
            var status = new Uri(Batches + "/" + Uri.EscapeDataString(batchId));
            DateTimeOffset deadline = time.GetUtcNow() + wait;
            while (true)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.RequestTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Get, status);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                string answer = await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return UploadOutcome.Failed(
                        BatchServiceAnswers.RefusalLine((int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType, answer));
                }

                if (BatchServiceAnswers.ReadStatus(answer) is not { } batch)
                {
                    return UploadOutcome.Failed($"GET {status} did not answer a batch status: {BatchServiceAnswers.OneLine(answer[..Math.Min(answer.Length, 200)])}");
                }

                progress.Applying(batch);
                if (batch.IsFinal)
                {
                    return new UploadOutcome(batch.Status == BatchStatus.AppliedStatus ? CommandLine.Ok : CommandLine.Failed, batch, null);
                }

                if (time.GetUtcNow() >= deadline)
                {
                    return new UploadOutcome(CommandLine.Failed, null,
                        string.Create(CultureInfo.InvariantCulture, $"batch {batchId} is still {batch.Status} after {wait.TotalSeconds:N0} s; follow it with GET {status}"));
                }

                await Task.Delay(settings.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The answer's body as text, at most <see cref="BatchServiceAnswers.MaxAnswerBytes"/> of it.</summary>
        private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var body = new MemoryStream();
                byte[] buffer = new byte[16 * 1024];
                int read;
                while (body.Length < BatchServiceAnswers.MaxAnswerBytes
                       && (read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    body.Write(buffer, 0, read);
                }

                return Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)Math.Min(body.Length, BatchServiceAnswers.MaxAnswerBytes));
            }
        }
    }
}
