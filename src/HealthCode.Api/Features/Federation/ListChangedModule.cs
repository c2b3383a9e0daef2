using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace HealthCode.Api.Features.Federation;

/// <summary>The hint's wiring: the sender in both modes, the receiver of the mode, and the endpoint.</summary>
internal static class ListChangedModule
{
    public static IServiceCollection AddListChanged(this IServiceCollection services, bool hub)
    {
        services.AddSingleton<ListChangedMetrics>();
        services.AddSingleton<ListChangedSender>();
        services.AddSingleton<HintedFetches>();
        services.AddSingleton<OwnListChangedHints>();
        services.AddSingleton<IValidator<ReceiveListChanged>, ReceiveListChangedValidator>();
        if (hub)
        {
            services.AddSingleton<IListChangedReceiver, HubListChangedReceiver>();
        }
        else
        {
            services.AddSingleton<IListChangedReceiver, ProvinceListChangedReceiver>();
        }

        services.AddHttpClient(ListChangedSender.HttpClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("HealthCode-ListChanged/1"))
            .AddResilienceHandler("list-changed", pipeline =>
            {
                // Network timing runs on the real clock, whatever clock the business logic is given.
                pipeline.TimeProvider = TimeProvider.System;
                pipeline
                    // The whole delivery, retries and waits included: past this the receiver's poll brings the change.
                    .AddTimeout(TimeSpan.FromSeconds(30))
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        // Network failures, 5xx, 408 and 429 (after its Retry-After); a 4xx answer such as unknown_issuer is final.
                        MaxRetryAttempts = 3,
                        UseJitter = true,
                        BackoffType = DelayBackoffType.Exponential,
                        Delay = TimeSpan.FromMilliseconds(500),
                        ShouldRetryAfterHeader = true,
                    })
                    // A receiver answers at once (202 before it fetches): one that takes longer is not answering.
                    .AddTimeout(TimeSpan.FromSeconds(3));
            });
        return services;
    }

    public static void MapListChanged(IEndpointRouteBuilder app) => app.MapReceiveListChanged();
}
