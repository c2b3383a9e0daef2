using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// Request bodies and targets that are not what the API reads: each wrong field named at once, text that is not
/// UTF-8, dates past the calendar, bodies past the cap however they are sent. A 4xx with a stable code, never a 500,
/// and never a stack trace (the service runs in Development here, where ASP.NET Core's developer page is on).
/// </summary>
[TestFixture]
internal sealed class BodyBindingTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory();

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    [Test]
    public async Task Declare_NamesEveryWrongTypedField_AndTheOtherFieldsErrors()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("temperature", "hot").With("travel", 5).With("name", 3).With("region", "999999"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "name wrong_type", "travel wrong_type", "temperature wrong_type", "region region_unknown",
        }), "one error per field: the three of the wrong type, then the validator's for the rest, and no 'required' for the three");
    }

    [Test]
    public async Task Declare_NamesWrongTypedFieldsInsideListsAndObjects()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.DeclareAsync(Declarations.Clean(resident.Phone)
            .With("travel", new object[] { new { region = "330100", from = 5, to = "2026-11-27" } })
            .With("contact", new { confirmedCase = "yes", suspectedCase = false, closeContactNotice = false })
            .With("symptoms", new object[] { "fever", 7 }));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_json");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[]
        {
            "travel[0].from wrong_type", "symptoms[1] wrong_type", "contact.confirmedCase wrong_type",
        }));
    }

    [TestCase("lastTest", "at", "9999-12-31T23:59:59Z", "lastTest.at date_in_future")]
    [TestCase("lastTest", "at", "9999-12-31T23:59:59+14:00", "lastTest.at date_in_future")]
    [TestCase("travel", "from", "9999-12-31", "travel[0].from date_in_future")]
    [TestCase("lastTest", "at", "9999-12-31T23:59:59-14:00", "lastTest.at wrong_type")]
    [TestCase("lastTest", "at", "0001-01-01T00:00:00+14:00", "lastTest.at wrong_type")]
    [TestCase("lastTest", "at", "2026-11-28T08:00:00+15:00", "lastTest.at wrong_type")]
    [TestCase("travel", "to", "10000-01-01", "travel[0].to wrong_type")]
    public async Task Declare_ADateFarInTheFuture_IsAFieldError(string member, string part, string value, string expected)
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var declaration = Declarations.Clean(resident.Phone);
        declaration[member] = member == "travel"
            ? new object[] { new Dictionary<string, object> { ["region"] = "330100", ["from"] = "2026-11-26", ["to"] = "2026-11-27", [part] = value } }
            : new Dictionary<string, object> { ["result"] = "negative", [part] = value };

        var response = await resident.DeclareAsync(declaration);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        var problem = await ResidentClient.JsonAsync(response);
        Assert.That(Problems.Errors(problem), Does.Contain(expected));
    }

    [Test]
    public async Task Declare_BytesThatAreNotUtf8_AreRefused_NamingTheField()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var json = Encoding.UTF8.GetBytes(Declarations.Serialize(Declarations.Clean(resident.Phone).With("name", "@@")));
        var body = Replace(json, "@@"u8, [0xE5, 0xBC, 0xFF]);

        var response = await resident.DeclareAsync(Json(body));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "name invalid_utf8" }));
    }

    [Test]
    public async Task RegisterPartner_AnUnpairedSurrogateInsideTheRootKey_IsRefused()
    {
        var body = """{"iss":"330000","name":"浙江省","trustListUrl":"http://127.0.0.1:9/trust-list","rootKey":{"kty":"EC","crv":"\ud800"}}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/partners") { Content = Json(Encoding.UTF8.GetBytes(body)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HealthCodeFactory.OperatorKey);

        var response = await factory.CreateClient().SendAsync(request);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "rootKey invalid_utf8" }));
    }

    [Test]
    public async Task Otp_AMemberGivenTwice_IsRefused()
    {
        // Two readers of one body must not see two phones: the first wins in some parsers, the last in others.
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/otp", Json("""{"phone":"13800138000","phone":"13900139000"}"""u8.ToArray()));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "duplicate_field");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "phone duplicate_field" }));
    }

    [TestCase("/api/v1/auth/otp", "application/json")]
    [TestCase("/api/v1/partner/status", "application/jose")]
    public async Task AChunkedBodyPastTheCap_Is413_WithoutAStackTrace_InDevelopmentToo(string path, string mediaType)
    {
        // The report this answers: anyone, without logging in, got a 500 from a chunked body over 64 KiB.
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"phone\":\"" + new string('1', 70 * 1024) + "\"}")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Accept.ParseAdd("text/html");

        var response = await factory.CreateClient().SendAsync(request);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.That(problem.ToJsonString(), Does.Not.Contain("Exception").And.Not.Contain("   at "));
    }

    [TestCase("/api/v1/admin/staff/%FF")]
    [TestCase("/api/v1/admin/staff/%C0%80")]
    [TestCase("/api/v1/admin/staff/%ED%A0%80")]
    public async Task APathThatIsNotUtf8_IsRefused(string path)
    {
        var response = await StaffClient.Operator(factory.CreateClient(), HttpMethod.Delete, path);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
    }

    [Test]
    public async Task AQueryValueThatIsNotUtf8_IsRefused_NamingTheParameter()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();

        var response = await resident.GetAsync("/api/v1/me/code/qr?format=%E5%BC");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_utf8");
        Assert.That(Problems.Errors(problem), Is.EqualTo(new[] { "format invalid_utf8" }));
    }

    [Test]
    public async Task AnAuthorizationHeaderThatIsNotUtf8_IsRefused()
    {
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 };
        using var client = new HttpClient(handler) { BaseAddress = factory.CreateClient().BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/code");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer \u00ff\u00fe");

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "Kestrel refuses header bytes that are not UTF-8");
    }

    [Test]
    public async Task BadRequestExceptions_AreAnsweredWithTheirOwnStatus()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = factory.Services };
        context.Response.Body = new MemoryStream();

        var handled = await new HealthCode.Api.Infrastructure.Http.BadRequestExceptionHandler()
            .TryHandleAsync(context, new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413), CancellationToken.None);

        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Multiple(() =>
        {
            Assert.That(handled, Is.True);
            Assert.That(context.Response.StatusCode, Is.EqualTo(413));
            Assert.That(body, Does.Contain("\"code\":\"body_too_large\"").And.Not.Contain("Request body too large."));
        });
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Replace(byte[] text, ReadOnlySpan<byte> marker, byte[] with)
    {
        var at = text.AsSpan().IndexOf(marker);
        return [.. text.AsSpan(0, at), .. with, .. text.AsSpan(at + marker.Length)];
    }
}
