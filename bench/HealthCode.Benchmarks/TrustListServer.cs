using System.Collections.Frozen;
using System.Net;
using HealthCode.Api.Features.Federation;
using HealthCode.Api.Infrastructure.Federation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthCode.Benchmarks;

/// <summary>
/// Partner provinces' trust lists served by one Kestrel on 127.0.0.1 (a free port), at <c>/&lt;iss&gt;/trust-list</c>,
/// through the service's own endpoint code (<see cref="TrustListEndpoint.Serve"/>): the ETag of
/// <see cref="SignedListPublisher.Publish"/>, and 304 Not Modified when <c>If-None-Match</c> names it
/// (RFC 9110 §13.1.2). Counts its answers, so a benchmark can show what a round really was.
/// </summary>
internal sealed class TrustListServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int ok;
    private int notModified;

    private TrustListServer(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The answers so far: 200 with a list, 304 without one.</summary>
    public (int Ok, int NotModified) Answers => (Volatile.Read(ref ok), Volatile.Read(ref notModified));

    /// <param name="lists">Each issuer's signed list with its seq and expiry, as the issuer publishes it.</param>
    public static async Task<TrustListServer> StartAsync(IEnumerable<(string Issuer, string Jws, DateTimeOffset ExpiresAt)> lists, CancellationToken cancellationToken)
    {
        var published = lists.ToFrozenDictionary(l => l.Issuer, l => SignedListPublisher.Publish(l.Jws, (1, DateTimeOffset.UtcNow, l.ExpiresAt)), StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TrustListServer(app);
        app.Use(async (context, next) =>
        {
            await next(context);
            _ = context.Response.StatusCode switch
            {
                StatusCodes.Status200OK => Interlocked.Increment(ref server.ok),
                StatusCodes.Status304NotModified => Interlocked.Increment(ref server.notModified),
                _ => 0,
            };
        });
        app.MapGet("/{issuer}/trust-list", (HttpContext context, string issuer) => TrustListEndpoint.Serve(context, published.GetValueOrDefault(issuer)));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    public Uri UrlOf(string issuer) => new(BaseAddress, issuer + "/trust-list");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
