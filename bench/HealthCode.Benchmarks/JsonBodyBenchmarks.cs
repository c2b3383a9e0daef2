using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Verification;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthCode.Benchmarks;

/// <summary>
/// Binding a valid request body with <see cref="JsonBody{T}"/>, as an endpoint does: the scan's body
/// (<c>POST /api/v1/verify</c>, the hot path) and a declaration. The baseline builds the same request without binding
/// it, so the difference is what binding costs, reading the body included.
/// </summary>
[MemoryDiagnoser]
public class JsonBodyBenchmarks
{
    private IServiceProvider services = null!;
    private byte[] scan = null!;
    private byte[] declaration = null!;

    [GlobalSetup]
    public void Setup()
    {
        services = new ServiceCollection().AddOptions().Configure<HealthCodeOptions>(_ => { }).BuildServiceProvider();
        scan = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { qr = Samples.TypicalQrText(), checkpointId = "metro-line1-gate3" }));
        declaration = JsonSerializer.SerializeToUtf8Bytes(Samples.TypicalDeclaration(), StrictJson.Options);
        if (JsonBody<VerifyRequest>.BindAsync(Request(scan)).AsTask().Result.Value is null
            || JsonBody<Declaration>.BindAsync(Request(declaration)).AsTask().Result.Value is null)
        {
            throw new InvalidOperationException("The sample bodies do not bind.");
        }
    }

    [Benchmark(Baseline = true, Description = "the request alone (context and body stream)")]
    public DefaultHttpContext RequestAlone() => Request(scan);

    [Benchmark(Description = "JsonBody<VerifyRequest>.BindAsync (the scan)")]
    public async Task<bool> BindScan() => (await JsonBody<VerifyRequest>.BindAsync(Request(scan))).Value is not null;

    [Benchmark(Description = "JsonBody<Declaration>.BindAsync")]
    public async Task<bool> BindDeclaration() => (await JsonBody<Declaration>.BindAsync(Request(declaration))).Value is not null;

    private DefaultHttpContext Request(byte[] body)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        return context;
    }
}
