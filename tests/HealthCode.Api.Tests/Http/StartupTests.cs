using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

[TestFixture]
internal sealed class StartupTests
{
    [Test]
    public void Production_RefusesToStart_WithASampleKey()
    {
        var error = HealthCodeFactory.StartFailure(environment: "Production");

        Assert.That(error.ToString(), Does.Contain("sample key"));
    }

    [Test]
    public async Task Production_Starts_WithKeysOfItsOwn()
    {
        var folder = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "keys");
        HealthCode.Trust.Keys.ProvinceKeys.Generate(folder);
        using var factory = new HealthCodeFactory(environment: "Production", settings: new() { ["HealthCode:Keys:Path"] = folder });

        var response = await factory.CreateClient().GetAsync("/healthz");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Production_RefusesToStart_WithoutAnOperatorKey()
    {
        var folder = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "keys");
        HealthCode.Trust.Keys.ProvinceKeys.Generate(folder);
        var error = HealthCodeFactory.StartFailure(environment: "Production", settings: new()
        {
            ["HealthCode:Keys:Path"] = folder,
            ["HealthCode:Admin:ApiKey"] = "",
        });

        Assert.That(error.ToString(), Does.Contain("HealthCode:Admin:ApiKey"));
    }

    [Test]
    public void Start_Fails_WhenTheKeysFolderIsMissing()
    {
        var error = HealthCodeFactory.StartFailure(settings: new() { ["HealthCode:Keys:Path"] = "/nonexistent/keys" });

        Assert.That(error.ToString(), Does.Contain("HealthCode:Keys:Path"));
    }

    [Test]
    public void Start_Fails_WhenTheProvinceCodeIsInvalid()
    {
        Assert.That(HealthCodeFactory.StartFailure(settings: new() { ["HealthCode:Province:Code"] = "41" }).ToString(), Does.Contain("Province"));
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
}
