namespace HealthCode.Api.Infrastructure.Http;

/// <summary>
/// The headers every response carries, pages and API alike, error answers included (they are set when the
/// response starts, after UseExceptionHandler has cleared the failed one's headers).
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// CSP Level 3 for the two pages: scripts, styles and fonts from this origin only (no inline script, no inline
    /// style attribute, no eval); images from here, the favicon's <c>data:</c> URL and the resident page's QR
    /// (an SVG the page fetches and shows through a <c>blob:</c> URL); the scanner's camera is a MediaStream set as
    /// the video's srcObject, which no fetch directive governs. Calls go to this origin only; nothing may frame a
    /// page (clickjacking a resident into declaring, or staff into scanning).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// RFC 6797: a year, sent only over HTTPS (§7.2: a UA ignores it over HTTP). Not includeSubDomains: the
    /// province's other hosts are not this service's to promise.
    /// </summary>
    public const string StrictTransportSecurity = "max-age=31536000";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        context.Response.OnStarting(static state => Apply((HttpContext)state), context);
        return next(context);
    });

    private static Task Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // For browsers older than CSP frame-ancestors (RFC 7034).
        headers.XFrameOptions = "DENY";
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = StrictTransportSecurity;
        }

        return Task.CompletedTask;
    }
}
