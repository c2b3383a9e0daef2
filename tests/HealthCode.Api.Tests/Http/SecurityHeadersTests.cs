using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Every answer carries the Content-Security-Policy, frame denial and nosniff, pages and API alike; HSTS only
/// over HTTPS. The HTTPS case runs a real Kestrel HTTPS listener with a certificate made for the test.
/// </summary>
[TestFixture]
internal sealed class SecurityHeadersTests
{
    private string certificateFolder = null!;
    private X509Certificate2 certificate = null!;
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService()
    {
        certificateFolder = Directory.CreateTempSubdirectory("healthcode-tls-").FullName;
        certificate = SelfSigned();
        var pfx = Path.Combine(certificateFolder, "localhost.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "test"));
        // Kestrel's configured endpoint, beside the plain HTTP one the factory listens on.
        factory = new HealthCodeFactory(settings: new()
        {
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = pfx,
            ["Kestrel:Endpoints:Https:Certificate:Password"] = "test",
        });
    }

    [OneTimeTearDown]
    public void StopService()
    {
        factory.Dispose();
        certificate.Dispose();
        Directory.Delete(certificateFolder, recursive: true);
    }

    [TestCase("/")]
    [TestCase("/scan.html")]
    [TestCase("/office.html")]
    [TestCase("/js/scan.js")]
    [TestCase("/api/v1/me/code")]
    [TestCase("/api/v1/nothing-here")]
    [TestCase("/.well-known/healthcode/trust-list")]
    public async Task EveryAnswer_CarriesTheContentSecurityPolicy_AndDeniesFraming(string path)
    {
        using var http = new HttpClient { BaseAddress = Address("http") };

        var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(Header(response, "Content-Security-Policy"), Is.EqualTo(SecurityHeaders.ContentSecurityPolicy));
            Assert.That(SecurityHeaders.ContentSecurityPolicy, Does.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline").And.Not.Contain("unsafe-eval"));
            Assert.That(Header(response, "X-Frame-Options"), Is.EqualTo("DENY"));
            Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
            Assert.That(Header(response, "Strict-Transport-Security"), Is.Null, "no HSTS over plain HTTP (RFC 6797 §7.2)");
        });
    }

    [TestCase("/")]
    [TestCase("/api/v1/nothing-here")]
    public async Task OverHttps_AnswersCarryHsts(string path)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        using var https = new HttpClient(handler) { BaseAddress = Address("https") };

        var response = await https.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(Header(response, "Strict-Transport-Security"), Is.EqualTo("max-age=31536000"));
            Assert.That(Header(response, "Content-Security-Policy"), Is.EqualTo(SecurityHeaders.ContentSecurityPolicy));
        });
    }

    private Uri Address(string scheme)
    {
        factory.CreateClient().Dispose();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First(a => a.StartsWith(scheme + "://", StringComparison.Ordinal)));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
