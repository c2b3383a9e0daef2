using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using HealthCode.Api.Features.Audit;
using HealthCode.Api.Features.Auth;
using HealthCode.Api.Features.Catalog;
using HealthCode.Api.Features.Codes;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Disputes;
using HealthCode.Api.Features.Federation;
using HealthCode.Api.Features.Health;
using HealthCode.Api.Features.Hub;
using HealthCode.Api.Features.Identity;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Features.Keys;
using HealthCode.Api.Features.Offices;
using HealthCode.Api.Features.Retention;
using HealthCode.Api.Features.Operators;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Features.Partners;
using HealthCode.Api.Features.Staff;
using HealthCode.Api.Features.Verification;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.OpenApi;
using HealthCode.Api.Infrastructure.Ops;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace HealthCode.Api.Infrastructure;

/// <summary>
/// Composition of the service. One binary, two modes (DESIGN §4.3): a province (residents,
/// checkpoints, partners) or, with <c>HealthCode:Hub:Enabled</c>, the national hub (member
/// registry and the federation list).
/// </summary>
internal static partial class ServiceSetup
{
    public static WebApplicationBuilder AddHealthCode(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HealthCodeOptions>()
            .Bind(builder.Configuration.GetSection(HealthCodeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var bodyCap = builder.Configuration.GetValue<long?>("HealthCode:Limits:MaxRequestBodyBytes") ?? 64 * 1024;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = bodyCap);

        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Every problem carries a stable code (DESIGN §5), including the framework's own.
            context.ProblemDetails.Extensions.TryAdd("code", context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => "not_found",
                StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                StatusCodes.Status413PayloadTooLarge => "body_too_large",
                StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
                >= 500 => "internal_error",
                _ => "bad_request",
            });
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<Store.StoreUnavailableExceptionHandler>();
        services.AddExceptionHandler<Privacy.ProtectedValueExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddOpenApi(o => o.AddHealthCodeDocument());

        services.AddMediator((Mediator.MediatorOptions o) =>
        {
            // Scoped: handlers are built when a request needs them. As singletons the generated
            // mediator builds every handler at the first call, the hub's in a province and the
            // province's in the hub, and each would load keys that instance does not have.
            o.ServiceLifetime = ServiceLifetime.Scoped;
            o.GenerateTypesAsInternal = true;
            o.PipelineBehaviors = [typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>)];
        });
        services.AddSingleton<IValidator<RequestOtp>, RequestOtpValidator>();
        services.AddSingleton<IValidator<Login>, LoginValidator>();
        services.AddSingleton<IValidator<Declaration>, DeclarationBodyValidator>();
        services.AddSingleton<IValidator<SubmitDeclaration>, SubmitDeclarationValidator>();
        services.AddSingleton<IValidator<CreateStaff>, CreateStaffValidator>();
        services.AddSingleton<IValidator<VerifyCode>, VerifyCodeValidator>();
        services.AddSingleton<IValidator<LookupByIdCard>, LookupByIdCardValidator>();
        services.AddSingleton<IValidator<RegisterPartner>, RegisterPartnerValidator>();
        services.AddSingleton<IValidator<UpsertHubMember>, UpsertHubMemberValidator>();
        services.AddSingleton<IValidator<RevokeKey>, RevokeKeyValidator>();

        StoreSetup.AddStore(services, builder.Configuration, builder.Environment.ContentRootPath);
        services.AddSingleton<OperatorKey>();
        services.AddOperators();
        services.AddHostedService<StartupChecks>();

        AddAuthentication(services);
        services.AddAuth();
        services.AddRateLimiter(_ => { });
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        // Both modes' services are registered (so every handler resolves); only one mode's
        // background jobs run and only its endpoints are mapped.
        services.AddSingleton<FederationPublisher>();
        services.AddListChanged(IsHub(builder.Configuration));
        AddProvince(services);
        AddFederation(builder);
        // The audit runs in both modes: operators act in the hub too, and every operator action is audited (DESIGN §10).
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        // The retention purge, every hour.
        PeriodicWork.Add(services, "audit retention", TimeSpan.FromHours(1),
            (provider, ct) => provider.GetRequiredService<IMediator>().Send(new PurgeAudit(), ct).AsTask());
        // GET /metrics in both modes; each mode observes what it holds (the hub its members and federation list).
        services.AddTelemetry();
        if (IsHub(builder.Configuration))
        {
            FederationJob.Add(services);
            services.AddObservedMetrics<HubMetrics>();
        }
        else
        {
            services.AddHostedService<TrustRefresher>();
            OwnTrustListJob.Add(services);
            // Encrypts rows from before encryption and rewraps values of an old data key (DESIGN §11); the hub holds no personal data.
            PeriodicWork.Add(services, "re-encryption job", sp => sp.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Privacy.RewrapEvery,
                (sp, ct) => sp.GetRequiredService<PersonalDataJob>().RewrapAsync(ct));
            services.AddHealthChecks()
                .AddCheck<SharedCacheHealthCheck>("sharedCache")
                .AddCheck<TrustListsHealthCheck>("trustLists");
            services.AddObservedMetrics<TrustListMetrics>();
        }

        return builder;
    }

    public static WebApplication UseHealthCode(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        app.UseRequestTargetEncoding();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapHealth();
        app.MapTelemetry();
        var api = app.MapGroup("/api/v1");
        // Operators (DESIGN §10): each action audited under the operator's name; on `admin` the role admin (which the
        // bootstrap key has), elsewhere on `operators` the role each endpoint names (OperatorPolicies).
        var operators = api.MapGroup("/admin").WithTags("Operators").RequireAuthorization(OperatorPolicies.AnyOperator)
            .AddEndpointFilter<OperatorActionAudit>();
        var admin = operators.MapGroup("").RequireAuthorization(OperatorPolicies.Admin);
        OperatorsModule.MapOperators(admin);
        operators.MapAudit();
        ListChangedModule.MapListChanged(app);
        if (IsHub(app.Configuration))
        {
            app.MapFederationList();
            admin.MapHubMembers();
        }
        else
        {
            app.MapTrustList();
            app.MapPartnerStatus();
            var auth = api.MapGroup("/auth").WithTags("Resident login");
            auth.MapRequestOtp();
            auth.MapLogin();
            var resident = api.MapGroup("").WithTags("Resident");
            resident.MapSubmitDeclaration();
            resident.MapGetDeclarationDraft();
            resident.MapGetMyCode();
            resident.MapGetMyCodeQr();
            api.MapListRegions();
            IdentityModule.MapIdentity(resident, admin);
            // The departments' endpoints under /api/v1/sources: any operator, each action audited like the others.
            var departments = api.MapGroup("").WithTags("Departments").RequireAuthorization(OperatorPolicies.AnyOperator)
                .AddEndpointFilter<OperatorActionAudit>();
            DataUseModule.MapDataUse(resident, departments, operators);
            SharingModule.MapSharing(departments);
            CatalogModule.MapCatalog(api, admin);
            OfficesModule.MapOffices(api);
            DisputesModule.MapDisputes(resident, operators);
            OverridesModule.MapOverrides(operators);
            RetentionModule.MapRetention(admin);
            var staff = api.MapGroup("").WithTags("Checkpoint staff").RequireAuthorization(StaffAuthentication.SchemeName);
            staff.MapGetStaffMe();
            staff.MapVerifyCode();
            staff.MapLookupByIdCard();
            admin.MapCreateStaff();
            admin.MapRevokeStaff();
            admin.MapPartners();
            admin.MapKeyLifecycle();
        }

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app));
        return app;
    }

    public static bool IsHub(IConfiguration configuration) => configuration.GetValue<bool>("HealthCode:Hub:Enabled");

    /// <summary>Residents, codes and checkpoints: what a province serves.</summary>
    private static void AddProvince(IServiceCollection services)
    {
        services.AddSingleton<IssuingKeys>();
        services.AddSingleton<KeyChanges>();
        services.AddSingleton(sp => TrustSetup.Create(
            sp.GetRequiredService<IssuingKeys>(),
            sp.GetRequiredService<IOptions<HealthCodeOptions>>(),
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TrustSetup))));
        services.AddSingleton(sp => TrustSetup.Verifier(
            sp.GetRequiredService<TrustStore>(), sp.GetRequiredService<IOptions<HealthCodeOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => RiskPolicy.Load(Path.GetFullPath(
            sp.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Policy.Path, AppContext.BaseDirectory)));
        services.AddSingleton<RiskScorer>();
        services.AddSingleton<DeclarationValidator>();
        services.AddSingleton<IDraftSources, DraftSources>();
        services.AddIdentity();
        services.AddSharing();
        services.AddDataUse();
        services.AddCatalog();
        services.AddOffices();
        services.AddDisputes();
        services.AddOverrides();
        services.AddRetention();
        // The privacy keys, cipher and blind index the stores encrypt and find personal fields with (DESIGN §11); loaded at
        // start, so that a missing key stops the service before it serves anything.
        services.AddPrivacy();
        services.AddSingleton<ISmsSender, LoggingSmsSender>();
        services.AddSingleton<CodeStatusIndex>();
        services.AddSingleton<ScanMetrics>();
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<IStaffRevocationFeed>(sp => sp.GetService<StackExchange.Redis.IConnectionMultiplexer>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisStaffRevocationFeed>(sp, redis)
            : new LocalStaffRevocationFeed());
        services.AddSingleton<AuditLog>();
    }

    /// <summary>No default scheme: each endpoint group names the one it needs, and only those look a token up.</summary>
    private static void AddAuthentication(IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ResidentSessionAuthentication>(ResidentSessionAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, StaffAuthentication>(StaffAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, OperatorAuthentication>(OperatorAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ResidentSessionAuthentication.SchemeName, p => p
                .AddAuthenticationSchemes(ResidentSessionAuthentication.SchemeName)
                .RequireClaim(ResidentSessionAuthentication.ResidentIdClaim))
            .AddPolicy(StaffAuthentication.SchemeName, p => p
                .AddAuthenticationSchemes(StaffAuthentication.SchemeName)
                .RequireClaim(StaffAuthentication.StaffIdClaim))
            .AddOperatorPolicies();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RoleRequiredHandler>();
    }

    /// <summary>
    /// Trust lists: the shared cache (Redis when <c>ConnectionStrings:Redis</c> is set, else in
    /// process), the resilient fetcher, partners, the hub when one is configured, and this
    /// province's own published list.
    /// </summary>
    private static void AddFederation(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddSingleton<ITrustListCache, InProcessTrustListCache>();
            services.AddSingleton<ICodeStatusFeed, LocalCodeStatusFeed>();
        }
        else
        {
            // Not AbortOnConnectFail: the service starts and scans while Redis is down, and reconnects.
            var configuration = StackExchange.Redis.ConfigurationOptions.Parse(redis);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = 2000;
            configuration.SyncTimeout = 1000;
            configuration.AsyncTimeout = 1000;
            services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(_ => StackExchange.Redis.ConnectionMultiplexer.Connect(configuration));
            services.AddSingleton<ITrustListCache, RedisTrustListCache>();
            services.AddSingleton<ICodeStatusFeed, RedisCodeStatusFeed>();
        }

        services.AddSingleton<StatusRequestNonces>();
        services.AddHttpClient<TrustListClient>(client => client.DefaultRequestHeaders.UserAgent.ParseAdd("HealthCode-TrustListClient/1"))
            .AddResilienceHandler("trust-lists", pipeline =>
            {
                // Network timing runs on the real clock, whatever clock the business logic is given.
                pipeline.TimeProvider = TimeProvider.System;
                pipeline
                    .AddTimeout(TimeSpan.FromSeconds(8))
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        // Only transient failures (network, 5xx, 408, 429) are retried; what a
                        // partner signed is judged by the caller and a bad signature never retried.
                        MaxRetryAttempts = 2,
                        UseJitter = true,
                        BackoffType = DelayBackoffType.Exponential,
                        Delay = TimeSpan.FromMilliseconds(200),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        SamplingDuration = TimeSpan.FromSeconds(30),
                        MinimumThroughput = 3,
                        FailureRatio = 0.5,
                        BreakDuration = TimeSpan.FromSeconds(15),
                    })
                    // Lists are small: a partner that takes longer than this is not answering.
                    .AddTimeout(TimeSpan.FromSeconds(2));
            })
            // One circuit breaker per partner: a dead partner never opens the circuit for the others.
            .SelectPipelineByAuthority();
        services.AddSingleton<PartnerTrust>();
        // No resilience handler: a status check has one short try, then the offline verdict stands.
        services.AddHttpClient(PartnerStatusClient.HttpClientName);
        services.AddSingleton<PartnerStatusClient>();
        services.AddSingleton<OwnTrustList>();
        if (builder.Configuration["HealthCode:Hub:Url"] is { Length: > 0 })
        {
            services.AddSingleton<HubFederation>();
            services.AddSingleton<IFederationSource>(sp => sp.GetRequiredService<HubFederation>());
        }
    }

    private static void LogStarted(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var options = app.Services.GetRequiredService<IOptions<HealthCodeOptions>>().Value;
        foreach (var address in addresses)
        {
            LogOpen(app.Logger, options.Province.Name, options.Province.Code, address);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HealthCode for {Province} ({Code}) is ready: open {Address}/ in a browser (API: {Address}/openapi/v1.json)")]
    private static partial void LogOpen(ILogger logger, string province, string code, string address);
}

/// <summary>
/// Loads what every request needs before the server accepts one, so a missing key, a sample key
/// outside Development or a bad policy file stops start-up (STYLE §6), creates the store's schema and
/// publishes the signed list this instance serves.
/// </summary>
internal sealed class StartupChecks(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    /// <summary>
    /// Loads the keys and the files every request needs (they refuse a bad setting with a <see cref="Settings.SettingException"/>);
    /// run before the host starts, so that a refusal is one line rather than a failed start with its stack trace.
    /// </summary>
    public static void LoadKeys(IServiceProvider services, IConfiguration configuration)
    {
        StoreSetup.EnsureUsable(services);
        services.GetRequiredService<OperatorKey>();
        if (ServiceSetup.IsHub(configuration))
        {
            services.GetRequiredService<FederationPublisher>();
            return;
        }

        services.GetRequiredService<IssuingKeys>();
        services.GetRequiredService<HealthCodeVerifier>();
        services.GetRequiredService<RiskScorer>();
        services.GetRequiredService<FieldCipher>();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LoadKeys(services, configuration);
        await StoreSetup.MigrateAsync(services, cancellationToken);
        var store = services.GetRequiredService<IHealthCodeStore>();
        await store.InitializeAsync(cancellationToken);
        await services.GetRequiredService<IAuditStore>().InitializeAsync(cancellationToken);
        if (ServiceSetup.IsHub(configuration))
        {
            await services.GetRequiredService<FederationPublisher>().EnsureCurrentAsync(cancellationToken);
            return;
        }

        // Rows from before encryption are encrypted and indexed before anything is served: a look-up by blind index
        // would not find them (DESIGN §11). Values of an old data key read as they are and are rewrapped in the background.
        await services.GetRequiredService<PersonalDataJob>().EncryptClearAsync(cancellationToken);
        await services.GetRequiredService<CodeStatusIndex>().WarmAsync(store, cancellationToken);
        await services.GetRequiredService<ICodeStatusFeed>().SubscribeAsync(cancellationToken);
        await services.GetRequiredService<OwnTrustList>().EnsureCurrentAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
