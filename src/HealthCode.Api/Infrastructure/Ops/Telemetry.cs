using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace HealthCode.Api.Infrastructure.Ops;

/// <summary>
/// Metrics through <c>System.Diagnostics.Metrics</c>, exported by OpenTelemetry in the Prometheus text format on
/// <c>GET /metrics</c> (DESIGN §5): ASP.NET Core's HTTP meter (<c>http_server_request_duration_seconds</c>), the
/// runtime's (<c>dotnet_*</c>) and each area's own meter, named <c>HealthCode.&lt;Area&gt;</c>. An area counts what
/// happens with counters where it happens (a scan, a batch) and reports states (lists, partners, the catalogue) with
/// observable gauges read on scrape (<see cref="IObservedMetrics"/>). Labels never carry a name, an ID number, a phone
/// or a code id: outcomes, states, province codes and public catalogue codes only.
/// </summary>
internal static class Telemetry
{
    /// <summary>Every area's meter is named with this prefix, so one wildcard exports them all.</summary>
    public const string MeterPrefix = "HealthCode.";

    /// <summary>The meters .NET itself keeps: HTTP request durations and the runtime's GC, memory, threads and CPU.</summary>
    private static readonly string[] BuiltInMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>
    /// The runtime's gauges whose names end in <c>.count</c>: in the text format a <c>_count</c> suffix belongs to
    /// histograms and summaries (<c>promtool check metrics</c> refuses it elsewhere), so they are exported as these.
    /// </summary>
    private static readonly (string Instrument, string Exported)[] Renamed =
    [
        ("dotnet.assembly.count", "dotnet.assemblies"),
        ("dotnet.process.cpu.count", "dotnet.process.cpus"),
        ("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads"),
        ("dotnet.timer.count", "dotnet.timers"),
    ];

    /// <summary>The HTTP duration's labels: route template, method, status and protocol; never a path or a query.</summary>
    private static readonly string[] HttpTags =
        ["http.request.method", "http.response.status_code", "http.route", "network.protocol.version", "url.scheme"];

    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("healthcode"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. BuiltInMeters, MeterPrefix + "*"]);
                foreach (var (instrument, exported) in Renamed)
                {
                    metrics.AddView(instrument, exported);
                }

                // No answer of this service names an exception type (/metrics is public, and the fuzz tests hold every
                // answer to it): the runtime's exception count and the HTTP durations are kept without error.type.
                metrics.AddView("dotnet.exceptions", new MetricStreamConfiguration { TagKeys = [] });
                metrics.AddView("http.server.request.duration", new MetricStreamConfiguration { TagKeys = HttpTags });

                metrics.AddPrometheusExporter(o =>
                {
                    // Each scrape collects afresh: a gauge read on scrape says what holds now, and tests read it back at once.
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    // No otel_scope_* labels on every sample: the metric names already say which area they come from.
                    o.ScopeInfoEnabled = false;
                });
            });
        return services;
    }

    /// <summary>
    /// Registers an area's observed metrics as a singleton that <see cref="MapTelemetry"/> creates at the first
    /// scrape, before it collects. Registered only in a mode that has what it observes
    /// (the trust lists in a province, the members in the hub).
    /// </summary>
    public static IServiceCollection AddObservedMetrics<T>(this IServiceCollection services)
        where T : class, IObservedMetrics
    {
        services.AddSingleton<T>();
        services.AddSingleton<IObservedMetrics>(sp => sp.GetRequiredService<T>());
        return services;
    }

    /// <summary>
    /// <c>GET /metrics</c>: first every area reads what its gauges report and only the store knows (asynchronously,
    /// since a gauge's callback cannot await), then OpenTelemetry collects and writes the text format.
    /// </summary>
    public static IEndpointConventionBuilder MapTelemetry(this WebApplication app)
    {
        // Created at the first scrape, not here: what they observe (keys, the trust store) is loaded by StartupChecks,
        // which says what is wrong with a bad setting; created before the collection, they are in that first scrape.
        var observed = new Lazy<IObservedMetrics[]>(() => [.. app.Services.GetServices<IObservedMetrics>()]);
        return app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            foreach (var metrics in observed.Value)
            {
                await metrics.RefreshAsync(context.RequestAborted);
            }

            await next(context);
        }), optionsName: null);
    }
}

/// <summary>
/// An area's observable instruments, created in its constructor and read by OpenTelemetry on each scrape. What only
/// the store knows is read in <see cref="RefreshAsync"/>, just before the scrape's collection reads the gauges.
/// </summary>
internal interface IObservedMetrics
{
    /// <summary>Reads from the store what the gauges report; a store that does not answer leaves the last reading (readyz says why).</summary>
    ValueTask RefreshAsync(CancellationToken cancellationToken);
}
