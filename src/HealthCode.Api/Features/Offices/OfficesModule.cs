using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Offices;

/// <summary>
/// Grassroots offices (DESIGN §10, 基层): an operator of role <c>office:&lt;region&gt;</c> sees the counts of codes by
/// colour in its area and the yellow and red people in it to follow up, on <c>/office.html</c> and the API, and nothing
/// outside its area, by any endpoint or parameter. No other role sees these lists, admin and the bootstrap key neither:
/// administering the service is not a reason to read residents' follow-up lists (最小必要, PIPL art. 6); an admin who
/// must is given an office account of their own, which the audit records, and every person they see is then in that
/// person's data-use log under their name.
/// </summary>
internal static class OfficesModule
{
    public static IServiceCollection AddOffices(this IServiceCollection services)
    {
        services.AddSingleton<IOfficeStore, OfficeStore>();
        services.AddSingleton<IValidator<GetOfficeSummary>, GetOfficeSummaryValidator>();
        services.AddSingleton<IValidator<ListOfficePeople>, ListOfficePeopleValidator>();
        return services;
    }

    /// <summary>
    /// Maps the office endpoints under <c>/api/v1/office</c> on <paramref name="api"/>: any operator's token is checked
    /// (401 otherwise), then the office role (403 <c>role_required</c> otherwise). They only read: the views of persons
    /// are recorded in the data-use log, person by person, rather than in the audit of operator actions.
    /// </summary>
    public static void MapOffices(RouteGroupBuilder api)
    {
        var office = api.MapGroup("/office").WithTags("Grassroots offices")
            .RequireAuthorization(OperatorPolicies.AnyOperator)
            .AddEndpointFilter<OfficeRoleFilter>()
            .WithCallerRoles(OfficeAreas.AnyOffice);
        office.MapGetOfficeMe();
        office.MapGetOfficeSummary();
        office.MapListOfficePeople();
    }
}
