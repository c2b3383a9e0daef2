using System.ComponentModel.DataAnnotations;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Operators;

/// <summary>
/// Named operators (DESIGN §10 "Named operators"): the configured key bootstraps accounts with roles, each with a bearer
/// token; an admin lists and revokes them. Who may call what is <see cref="Infrastructure.Auth.OperatorPolicies"/>;
/// the audit of their actions is <see cref="Infrastructure.Audit.OperatorActionAudit"/>.
/// </summary>
internal static class OperatorsModule
{
    public static IServiceCollection AddOperators(this IServiceCollection services)
    {
        services.AddOptions<OperatorOptions>()
            .BindConfiguration(OperatorOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IOperatorStore, OperatorStore>();
        services.AddSingleton<IValidator<CreateOperator>, CreateOperatorValidator>();
        return services;
    }

    /// <summary>Maps the accounts' endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, role admin).</summary>
    public static void MapOperators(RouteGroupBuilder admin)
    {
        admin.MapCreateOperator();
        admin.MapListOperators();
        admin.MapRevokeOperator();
    }
}

/// <summary>The <c>HealthCode:Operators</c> configuration section.</summary>
internal sealed class OperatorOptions
{
    public const string Section = "HealthCode:Operators";

    /// <summary>How long a named operator's token is valid; then an admin creates a new account.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(30);
}
