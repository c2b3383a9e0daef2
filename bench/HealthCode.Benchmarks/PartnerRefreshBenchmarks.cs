using BenchmarkDotNet.Attributes;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthCode.Benchmarks;

/// <summary>
/// Refreshing 34 partners' trust lists (issue 4) the way the service does: <see cref="PartnerTrust.RefreshAllAsync"/>
/// with the service's <see cref="TrustListClient"/> (its typed HttpClient and resilience pipeline, taken from the
/// service's own composition), an <see cref="InProcessTrustListCache"/> and a fresh <see cref="TrustStore"/>. The
/// lists of 34 generated provinces (every province-level code: one more partner than a province can have) come
/// from one Kestrel on 127.0.0.1 that honours <c>If-None-Match</c>. The baseline is 34 plain GETs of the same lists
/// with a bare HttpClient that verifies nothing.
/// </summary>
/// <remarks>
/// One round per iteration: a full round needs a <see cref="PartnerTrust"/> that holds no ETag yet, made before
/// each iteration. A round is milliseconds long, so more iterations than the other suites' 12 are taken.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(1)]
[WarmupCount(5)]
[IterationCount(40)]
public class PartnerRefreshBenchmarks
{
    private List<GeneratedProvince> provinces = null!;
    private TrustListServer server = null!;
    private WebApplication service = null!;
    private TrustListClient client = null!;
    private InMemoryPartnerStore partners = null!;
    private HttpClient plain = null!;
    private Uri[] urls = null!;
    private (string Issuer, string Jws, EcKey Root)[] lists = null!;
    private PartnerTrust steady = null!;
    private PartnerTrust fresh = null!;

    public static int Partners => 34;

    [GlobalSetup]
    public async Task Setup()
    {
        var now = TimeProvider.System.GetUtcNow();
        provinces = GeneratedProvince.ForEveryProvince();
        // Each list as a partner pins it: the root's public half only.
        lists = [.. provinces.Select(p => (p.Issuer, p.SignList(now), EcKey.FromJwk(p.Root.ToPublicJwk())))];
        server = await TrustListServer.StartAsync(
            lists.Select(l => (l.Issuer, l.Jws, now.AddHours(-1) + GeneratedProvince.ListLifetime)), CancellationToken.None);
        urls = [.. provinces.Select(p => server.UrlOf(p.Issuer))];
        partners = new InMemoryPartnerStore(provinces.Select(p => new PartnerRecord(p.Issuer, p.Name, server.UrlOf(p.Issuer), p.Root.ToPublicJwk(), now)));
        plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // The service's own registration (ServiceSetup.AddFederation) builds the client, so the benchmark
        // measures the same handler chain (logging, standard resilience handler per authority), not a copy.
        // The host is built to resolve it, never started.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:HealthCode", "Data Source=:memory:")]);
        builder.AddHealthCode();
        service = builder.Build();
        client = service.Services.GetRequiredService<TrustListClient>();

        if (provinces.Count != Partners)
        {
            throw new InvalidOperationException($"Expected {Partners} province-level codes, got {provinces.Count}.");
        }

        // Prove what each round is before timing it: a full round answers 34 × 200 and trusts every list,
        // the next round answers 34 × 304.
        steady = await StartedAsync();
        await Round(steady, expectOk: Partners, expectNotModified: 0);
        await Round(steady, expectOk: 0, expectNotModified: Partners);
        if (steady.List() is not { Count: 34 } status || status.Any(s => s is not { State: "ok", Seq: 1 }))
        {
            throw new InvalidOperationException("Not every partner list was fetched, verified and trusted.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        plain.Dispose();
        await service.DisposeAsync();
        await server.DisposeAsync();
        provinces.ForEach(p => p.Dispose());
        Array.ForEach(lists, l => l.Root.Dispose());
    }

    [IterationSetup(Target = nameof(FullRound))]
    public void NewPartnerTrust() =>
        // BenchmarkDotNet runs an iteration setup synchronously; this one reads only the in-memory partner store.
        fresh = StartedAsync().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "34 plain GETs (HttpClient, no verify)")]
    public async Task<int> PlainGets()
    {
        var bytes = 0;
        foreach (var url in urls)
        {
            bytes += (await plain.GetStringAsync(url)).Length;
        }

        return bytes;
    }

    [Benchmark(Description = "full round: 34 × 200, verify, SetPartner")]
    public Task FullRound() => fresh.RefreshAllAsync(CancellationToken.None);

    [Benchmark(Description = "conditional round: 34 × 304")]
    public Task ConditionalRound() => steady.RefreshAllAsync(CancellationToken.None);

    // The full round taken apart: the service's client alone, then the verify alone.
    [Benchmark(Description = "part of a full round: 34 × TrustListClient.FetchAsync (200)")]
    public async Task<int> ClientFetches()
    {
        var fetched = 0;
        foreach (var url in urls)
        {
            fetched += await client.FetchAsync(url, etag: null, CancellationToken.None) is FetchResult.Fetched ? 1 : 0;
        }

        return fetched;
    }

    [Benchmark(Description = "part of a full round: 34 × TrustListCodec.Verify + SetPartner (no network)")]
    public TrustStore VerifyLists()
    {
        var store = new TrustStore();
        var now = TimeProvider.System.GetUtcNow();
        foreach (var (issuer, jws, root) in lists)
        {
            GeneratedProvince.Trust(store, jws, root, issuer, now);
        }

        return store;
    }

    /// <summary>A partner trust as the service has it after start-up: partners known, no list fetched, no ETag held.</summary>
    private async Task<PartnerTrust> StartedAsync()
    {
        var options = Options.Create(new HealthCodeOptions { Province = new ProvinceOptions { Code = "410000", Name = "河南省" } });
        var trust = new PartnerTrust(new TrustStore(), new InProcessTrustListCache(), client, partners, options, TimeProvider.System, NullLogger<PartnerTrust>.Instance);
        await trust.StartAsync(CancellationToken.None);
        return trust;
    }

    private async Task Round(PartnerTrust trust, int expectOk, int expectNotModified)
    {
        var before = server.Answers;
        await trust.RefreshAllAsync(CancellationToken.None);
        var after = server.Answers;
        if (after.Ok - before.Ok != expectOk || after.NotModified - before.NotModified != expectNotModified)
        {
            throw new InvalidOperationException(
                $"Expected {expectOk} × 200 and {expectNotModified} × 304, got {after.Ok - before.Ok} and {after.NotModified - before.NotModified}.");
        }
    }
}
