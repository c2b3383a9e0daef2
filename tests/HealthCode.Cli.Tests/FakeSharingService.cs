using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Sharing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthCode.Cli.Tests;

/// <summary>What the fake service saw of one upload.</summary>
internal sealed record ReceivedBatch(string Source, string? Authorization, string? ContentType, long? ContentLength, string? Expect, string? Manifest, long BodyBytes, string BodySha256);

/// <summary>
/// The batch endpoints of DESIGN §9 as the contract states them, on a real Kestrel on 127.0.0.1, scripted to give the
/// answers the real service gives only rarely or never on cue (a batch that stays applying past --wait, odd status
/// answers, a refusal before the body): the CLI's own handling of them. The real upload path, the real CLI against the
/// real service, is tested in HealthCode.Integration.Tests (SharingTests). By default it reads the body as a
/// stream, checks the manifest with the kernel's <see cref="BatchManifestReader"/> against the CDC sample key and the
/// body's SHA-256, answers <c>202 {batchId, status}</c>, and answers each GET with the next of <see cref="Statuses"/>.
/// Tests replace either answer to script refusals.
/// </summary>
internal sealed class FakeSharingService : IAsyncDisposable
{
    public const string Token = "op-token-cdc";

    private readonly WebApplication _app;
    private readonly EcKey _departmentKey;
    private readonly ConcurrentQueue<object> _statuses = new();
    private object? _lastStatus;

    private FakeSharingService(WebApplication app, EcKey departmentKey)
    {
        _app = app;
        _departmentKey = departmentKey;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<ReceivedBatch> Received { get; } = new();

    public int StatusRequests;

    /// <summary>Replaces the POST answer: the test answers, and may leave the body unread.</summary>
    public Func<HttpContext, Task<IResult>>? OnPost { get; set; }

    /// <summary>Replaces the GET answer.</summary>
    public Func<HttpContext, IResult>? OnGet { get; set; }

    public static async Task<FakeSharingService> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(server =>
        {
            server.Listen(IPAddress.Loopback, 0);
            server.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddProblemDetails();
        WebApplication app = builder.Build();
        var service = new FakeSharingService(app, KeyFolderOf("CDC"));
        app.MapPost("/api/v1/sources/{code}/batches", (HttpContext context, string code) => service.PostAsync(context, code));
        app.MapGet("/api/v1/sources/{code}/batches/{batchId}", (HttpContext context) => service.Get(context));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        service.Url = new Uri(address);
        return service;
    }

    /// <summary>The statuses the GETs answer in turn; the last one repeats.</summary>
    public void AnswerStatuses(params object[] statuses)
    {
        foreach (object status in statuses)
        {
            _statuses.Enqueue(status);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _departmentKey.Dispose();
    }

    /// <summary>A status answer as the contract writes it.</summary>
    public static object Status(string batchId, string status, long rows, long applied = 0, long rejected = 0, object[]? errors = null) =>
        new { batchId, status, rows, applied, rejected, errors = errors ?? [] };

    public static IResult Problem(int status, string code, string title) =>
        Results.Problem(title: title, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static EcKey KeyFolderOf(string department) =>
        KeyFolder.LoadKey(Path.Combine(RepoPaths.KeysSample, "departments", department), department);

    private async Task<IResult> PostAsync(HttpContext context, string code)
    {
        if (OnPost is not null)
        {
            return await OnPost(context);
        }

        string? manifest = context.Request.Headers["Sharing-Manifest"];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        string sha256 = BatchManifest.Sha256Text(hash.GetHashAndReset());
        Received.Enqueue(new ReceivedBatch(
            code, context.Request.Headers.Authorization, context.Request.ContentType, context.Request.ContentLength,
            context.Request.Headers.Expect, manifest, total, sha256));

        if (context.Request.Headers.Authorization != "Bearer " + Token)
        {
            return Problem(StatusCodes.Status401Unauthorized, "unauthorized", "The operator token is missing or revoked.");
        }

        var reader = new BatchManifestReader(TimeProvider.System, BatchManifestReader.DefaultClockSkew, BatchManifestReader.DefaultMaxAge);
        BatchManifestResult result = await reader.ReadAsync(manifest, _departmentKey, code);
        if (!result.IsValid)
        {
            return Problem(StatusCodes.Status400BadRequest, result.Error.Value.ToCode(), "The Sharing-Manifest header does not verify.");
        }

        return result.Manifest.Sha256 != sha256
            ? Problem(StatusCodes.Status400BadRequest, "body_hash_mismatch", "The body's SHA-256 is not the one the manifest signs.")
            : Results.Json(new { batchId = result.Manifest.BatchId, status = "receiving" }, statusCode: StatusCodes.Status202Accepted);
    }

    private IResult Get(HttpContext context)
    {
        Interlocked.Increment(ref StatusRequests);
        if (OnGet is not null)
        {
            return OnGet(context);
        }

        if (_statuses.TryDequeue(out object? next))
        {
            _lastStatus = next;
        }

        return _lastStatus is null ? Problem(StatusCodes.Status404NotFound, "batch_not_found", "No such batch.") : Results.Json(_lastStatus);
    }
}
