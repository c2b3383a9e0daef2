using System.Text.Json;
using System.Text.Json.Serialization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using HealthCode.Api.Features.Audit;
using HealthCode.Api.Features.Auth;
using HealthCode.Api.Features.Codes;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Health;
using HealthCode.Api.Features.Staff;
using HealthCode.Api.Features.Verification;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Mediation;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust.TrustLists;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace HealthCode.Api.Infrastructure;

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
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "HealthCode API";
            document.Info.Description = "A province's health-code service: resident declarations and codes (DESIGN §5).";
            return Task.CompletedTask;
        }));

        services.AddMediator((Mediator.MediatorOptions o) =>
        {
            o.ServiceLifetime = ServiceLifetime.Singleton;
            o.GenerateTypesAsInternal = true;
            o.PipelineBehaviors = [typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>)];
        });
        services.AddSingleton<IValidator<RequestOtp>, RequestOtpValidator>();
        services.AddSingleton<IValidator<Login>, LoginValidator>();
        services.AddSingleton<IValidator<SubmitDeclaration>, SubmitDeclarationValidator>();
        services.AddSingleton<IValidator<CreateStaff>, CreateStaffValidator>();
        services.AddSingleton<IValidator<VerifyCode>, VerifyCodeValidator>();
        services.AddSingleton<IValidator<LookupByIdCard>, LookupByIdCardValidator>();

        services.AddSingleton(new SqliteDatabase(
            SqliteConnectionString(builder.Configuration.GetConnectionString("HealthCode"), builder.Environment.ContentRootPath)));
        services.AddSingleton<IHealthCodeStore, SqliteHealthCodeStore>();
        services.AddSingleton<IStaffStore, SqliteStaffStore>();
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddHostedService<StartupChecks>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddHostedService<AuditRetention>();
        services.AddSingleton<IssuingKeys>();
        services.AddSingleton(sp => TrustSetup.Create(
            sp.GetRequiredService<IssuingKeys>(),
            sp.GetRequiredService<IOptions<HealthCodeOptions>>(),
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TrustSetup))));
        services.AddSingleton(sp => TrustSetup.Verifier(
            sp.GetRequiredService<TrustStore>(), sp.GetRequiredService<IOptions<HealthCodeOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CodeStatusIndex>();
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<OperatorKey>();
        services.AddSingleton(sp => RiskPolicy.Load(Path.GetFullPath(
            sp.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Policy.Path, AppContext.BaseDirectory)));
        services.AddSingleton<RiskScorer>();
        services.AddSingleton<DeclarationValidator>();
        services.AddSingleton<OneTimeCodes>();
        services.AddSingleton<ISmsSender, LoggingSmsSender>();

        // No default scheme: each endpoint group names the one it needs, and only those look a token up.
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
            .AddPolicy(OperatorAuthentication.SchemeName, p => p
                .AddAuthenticationSchemes(OperatorAuthentication.SchemeName)
                .RequireRole("operator"));
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(LookupByIdCardEndpoint.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(StaffAuthentication.StaffIdClaim) ?? "",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = context.RequestServices.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Staff.LookupsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            o.OnRejected = (context, _) => new ValueTask(new ApiProblem(
                StatusCodes.Status429TooManyRequests, "rate_limited", "Too many ID-card lookups from this staff member.", "Wait a minute, then try again.")
                .WriteAsync(context.HttpContext));
        });
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        return builder;
    }

    public static WebApplication UseHealthCode(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapHealth();
        var api = app.MapGroup("/api/v1");
        var auth = api.MapGroup("/auth").WithTags("Resident login");
        auth.MapRequestOtp();
        auth.MapLogin();
        var resident = api.MapGroup("").WithTags("Resident");
        resident.MapSubmitDeclaration();
        resident.MapGetMyCode();
        resident.MapGetMyCodeQr();
        var staff = api.MapGroup("").WithTags("Checkpoint staff").RequireAuthorization(StaffAuthentication.SchemeName);
        staff.MapVerifyCode();
        staff.MapLookupByIdCard();
        var admin = api.MapGroup("/admin").WithTags("Operators").RequireAuthorization(OperatorAuthentication.SchemeName);
        admin.MapCreateStaff();
        admin.MapRevokeStaff();
        admin.MapAudit();

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app));
        return app;
    }

    /// <summary>A relative SQLite file is placed under the content root, so the default lands in ./data.</summary>
    private static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? "Data Source=data/healthcode.db" : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource, contentRoot);
        }

        return builder.ToString();
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
/// in Production or a bad policy file stops start-up (STYLE §6), and creates the store's schema.
/// </summary>
internal sealed class StartupChecks(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<IssuingKeys>();
        services.GetRequiredService<HealthCode.Trust.Verification.HealthCodeVerifier>();
        services.GetRequiredService<RiskScorer>();
        services.GetRequiredService<OperatorKey>();
        var store = services.GetRequiredService<IHealthCodeStore>();
        await store.InitializeAsync(cancellationToken);
        await services.GetRequiredService<CodeStatusIndex>().WarmAsync(store, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
