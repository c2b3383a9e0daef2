using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

[TestFixture]
internal sealed class StartupTests
{
    // DESIGN §7: any environment but Development refuses the public sample keys, not only Production.
    [TestCase("Production")]
    [TestCase("Staging")]
    [TestCase("Pilot")]
    public void OutsideDevelopment_RefusesToStart_WithASampleKey_NamingTheSetting(string environment)
    {
        Assert.That(StartError(environment), Does.Contain($"Refusing to start in {environment} with a public sample key from keys-sample/: HealthCode:Keys:Path = "));
    }

    // DESIGN §11 with §7: the published privacy keys would let anyone read the personal data they encrypt.
    [TestCase("Production")]
    [TestCase("Pilot")]
    public void OutsideDevelopment_RefusesToStart_WithASamplePrivacyKey(string environment)
    {
        Assert.That(StartError(environment, settings: new() { ["HealthCode:Keys:Path"] = OwnKeys() }),
            Does.Contain($"Refusing to start in {environment} with a public sample key from keys-sample/: HealthCode:Privacy:KeysPath = "));
    }

    [TestCase("Production")]
    [TestCase("Staging")]
    public async Task OutsideDevelopment_Starts_WithKeysOfItsOwn(string environment)
    {
        using var factory = new HealthCodeFactory(environment: environment, settings: new()
        {
            ["HealthCode:Keys:Path"] = OwnKeys(),
            ["HealthCode:Privacy:KeysPath"] = PrivacyFolders.Own(),
        });

        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Staging_RefusesToStart_TrustingASamplePartnerRoot()
    {
        var partners = PartnerProvince.NewPartnersFolder();
        using (var zhejiang = new PartnerProvince("330000", "浙江省"))
        {
            zhejiang.PublishTo(partners, HealthCodeFactory.Start, TimeSpan.FromDays(7));
        }

        Assert.That(StartError("Staging", settings: new()
        {
            ["HealthCode:Keys:Path"] = OwnKeys(),
            ["HealthCode:Trust:PartnersPath"] = partners,
        }), Does.Contain("sample key from keys-sample/: HealthCode:Trust:PartnersPath = "));
    }

    [Test]
    public void Staging_RefusesToStart_TrustingTheSampleHubAnchor()
    {
        Assert.That(StartError("Staging", settings: new()
        {
            ["HealthCode:Keys:Path"] = OwnKeys(),
            ["HealthCode:Privacy:KeysPath"] = PrivacyFolders.Own(),
            ["HealthCode:Hub:Url"] = "http://127.0.0.1:9/",
            ["HealthCode:Hub:AnchorKey"] = Path.Combine(RepoPaths.Root, "keys-sample", "hub", "anchor.public.jwk"),
        }), Does.Contain("sample key from keys-sample/: HealthCode:Hub:AnchorKey = "));
    }

    [Test]
    public void StagingHub_RefusesToStart_WithTheSampleAnchor()
    {
        Assert.That(StartError("Staging", settings: new()
        {
            ["HealthCode:Hub:Enabled"] = "true",
            ["HealthCode:Keys:Path"] = Path.Combine(RepoPaths.Root, "keys-sample", "hub"),
        }), Does.Contain("sample key from keys-sample/: HealthCode:Keys:Path = "));
    }

    [Test]
    public void Start_Fails_WhenATrustedProxyIsNotAnAddress()
    {
        Assert.That(StartError(settings: new() { ["HealthCode:Network:TrustedProxies:0"] = "nginx.local" }), Does.Contain("'nginx.local' is neither an IP address nor a network"));
    }

    [Test]
    public void Production_RefusesToStart_WithoutAnOperatorKey()
    {
        Assert.That(StartError("Production", settings: new()
        {
            ["HealthCode:Keys:Path"] = OwnKeys(),
            ["HealthCode:Admin:ApiKey"] = "",
        }), Does.Contain("HealthCode:Admin:ApiKey"));
    }

    [Test]
    public void Start_Fails_WhenTheKeysFolderIsMissing()
    {
        Assert.That(StartError(settings: new() { ["HealthCode:Keys:Path"] = "/nonexistent/keys" }), Does.Contain("HealthCode:Keys:Path"));
    }

    [Test]
    public void Start_Fails_WhenTheProvinceCodeIsInvalid()
    {
        Assert.That(StartError(settings: new() { ["HealthCode:Province:Code"] = "41" }), Does.Contain("Province"));
    }

    [Test]
    public async Task Readyz_ReportsTheStore()
    {
        using var factory = new HealthCodeFactory();

        var ready = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/readyz"))!;

        Assert.That(ready["checks"]!["store"]!.GetValue<string>(), Is.EqualTo("healthy"));
    }

    [Test]
    public async Task OpenApi_DescribesEveryEndpoint()
    {
        using var factory = new HealthCodeFactory();

        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        Assert.That(paths.Select(p => p.Key), Is.SupersetOf(new[]
        {
            "/api/v1/auth/otp", "/api/v1/auth/login", "/api/v1/declarations", "/api/v1/me/code", "/api/v1/me/code/qr",
            "/api/v1/verify", "/api/v1/lookup", "/api/v1/admin/staff", "/api/v1/admin/staff/{staffId}",
            "/api/v1/admin/audit", "/api/v1/admin/audit/verify", "/api/v1/admin/audit/purge",
        }));
        var declare = paths["/api/v1/declarations"]!["post"]!;
        Assert.Multiple(() =>
        {
            Assert.That(declare["requestBody"]!["content"]!["application/json"], Is.Not.Null);
            Assert.That(declare["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "201", "400", "401" }));
        });
    }

    /// <summary>What stops a service with these settings from starting.</summary>
    private static string StartError(string environment = "Development", Dictionary<string, string?>? settings = null) =>
        HealthCodeFactory.StartFailure(environment, settings).ToString();

    /// <summary>A new province key folder of this test's own: no sample key in it.</summary>
    private static string OwnKeys()
    {
        var folder = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "keys");
        HealthCode.Trust.Keys.ProvinceKeys.Generate(folder);
        return folder;
    }
}
