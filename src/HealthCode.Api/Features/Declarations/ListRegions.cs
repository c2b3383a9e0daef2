using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace HealthCode.Api.Features.Declarations;

/// <summary>
/// <c>GET /api/v1/regions</c> (public): the current GB/T 2260 rows of <see cref="RegionCodes"/>, so the resident page
/// picks a region by name and shows place names beside codes from the very table the service validates against
/// (no second copy of it in the page). County-level codes are not in the table (see <see cref="RegionCodes"/>): the
/// page names them by their prefecture.
/// </summary>
internal sealed record RegionList(IReadOnlyList<RegionView> Regions);

/// <param name="Code">Six digits: <c>XX0000</c> a province, <c>XXXX00</c> a prefecture-level division.</param>
internal sealed record RegionView(string Code, string Name, string NameEn);

internal static class ListRegionsEndpoint
{
    /// <summary>
    /// The table changes only with a new build of the service, so browsers may keep it for a day and then revalidate
    /// with the ETag (a 304 costs no body).
    /// </summary>
    public const string CacheControl = "public, max-age=86400";

    // Place names as UTF-8, not \u escapes: a third of the size.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerOptions.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    // Built once: the table is embedded in the assembly and never changes while the service runs.
    private static readonly Lazy<(byte[] Json, string ETag)> Answer = new(() =>
    {
        var list = new RegionList([.. RegionCodes.Current().Select(r => new RegionView(r.Code, r.NameZh, r.NameEn))]);
        var json = JsonSerializer.SerializeToUtf8Bytes(list, JsonOptions);
        return (json, $"\"{Convert.ToHexStringLower(SHA256.HashData(json))[..16]}\"");
    });

    public static void MapListRegions(this RouteGroupBuilder group) => group
        .MapGet("/regions", Results<FileContentHttpResult, StatusCodeHttpResult> (HttpContext context) =>
        {
            var (json, etag) = Answer.Value;
            context.Response.Headers.CacheControl = CacheControl;
            context.Response.Headers.ETag = etag;
            return context.Request.Headers.IfNoneMatch.Contains(etag)
                ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
                : TypedResults.File(json, "application/json");
        })
        .AllowAnonymous()
        .Produces<RegionList>(StatusCodes.Status200OK, "application/json")
        .Produces(StatusCodes.Status304NotModified)
        .WithTags("Resident")
        .WithName("ListRegions")
        .WithSummary("GB/T 2260 region names (public)")
        .WithDescription("{regions: [{code, name, nameEn}]}: every current province- and prefecture-level division the service accepts, ordered by code. A county-level code (not ending in 00) is valid when its prefecture (first four digits + 00) is listed. No login; cacheable for a day, with an ETag.");
}
