using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthCode.Api.Tests.Support;
using SkiaSharp;

namespace HealthCode.Api.Tests.Http;

/// <summary>DESIGN §8 family members (代申报): added by the holder, declared for, shown, printed, scanned and looked up.</summary>
[TestFixture]
internal sealed partial class FamilyTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory();

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    [Test]
    public async Task ADependant_IsDeclaredFor_Shown_Scanned_AndLookedUp_AsTheirOwnPerson()
    {
        var holder = await HolderAsync();
        var childId = Declarations.IdFor(holder.Phone, member: 2);
        var child = await AddDependantAsync(holder, "李小宝", childId);
        var listed = await (await holder.GetAsync("/api/v1/me/dependants")).Content.ReadAsStringAsync();
        var only = JsonNode.Parse(listed)!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(only["personId"]!.GetValue<string>(), Is.EqualTo(child));
            Assert.That(only["maskedName"]!.GetValue<string>(), Is.EqualTo("李*宝"));
            Assert.That(only["idTail"]!.GetValue<string>(), Is.EqualTo(childId[^4..]));
            Assert.That(only["color"], Is.Null);
            Assert.That(only["idNumber"]!.GetValue<string>(), Is.EqualTo(childId), "the holder's own entry, to fill in each declaration");
            Assert.That(only["name"]!.GetValue<string>(), Is.EqualTo("李小宝"));
        });

        var declared = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId).With("symptoms", new[] { "fever" }));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        Assert.That((await ResidentClient.JsonAsync(declared))["personId"]!.GetValue<string>(), Is.EqualTo(child));

        var code = await ResidentClient.JsonAsync(await holder.GetAsync($"/api/v1/me/code?personId={child}"));
        var own = await ResidentClient.JsonAsync(await holder.GetAsync("/api/v1/me/code"));
        var qr = await (await holder.GetAsync($"/api/v1/me/code/qr?format=text&personId={child}")).Content.ReadAsStringAsync();
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var verdict = await staff.VerifyAsync(qr);
        var lookup = await ResidentClient.JsonAsync(await staff.LookupAsync(childId, "李小宝"));
        Assert.Multiple(() =>
        {
            Assert.That(code["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
            Assert.That(code["relation"]!.GetValue<string>(), Is.EqualTo("dependant"));
            Assert.That(own["color"]!.GetValue<string>(), Is.EqualTo("green"), "the holder's own code is untouched");
            Assert.That(own["codeId"]!.GetValue<string>(), Is.Not.EqualTo(code["codeId"]!.GetValue<string>()));
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
            Assert.That(verdict["maskedName"]!.GetValue<string>(), Is.EqualTo("李*宝"));
            Assert.That(verdict["idTail"]!.GetValue<string>(), Is.EqualTo(childId[^4..]));
            Assert.That(lookup["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
        });
    }

    [Test]
    public async Task APrintedCard_LivesForDays_StaysValidWhileTheColourHolds_AndAColourChangeVoidsIt()
    {
        // A service of its own: this test moves its clock by days.
        using var service = new HealthCodeFactory();
        var holder = await HolderAsync(service);
        var grandmaId = Declarations.IdFor(holder.Phone, member: 3);
        var grandma = await AddDependantAsync(holder, "王秀英", grandmaId);
        var grandmasDeclaration = Declarations.Clean(holder.Phone).With("name", "王秀英").With("idNumber", grandmaId);
        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={grandma}", grandmasDeclaration);

        var page = await holder.GetAsync($"/api/v1/me/code/qr?format=print&personId={grandma}");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), await page.Content.ReadAsStringAsync());
        Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        var html = await page.Content.ReadAsStringAsync();
        var expires = DateTimeOffset.Parse(page.Headers.GetValues("X-HealthCode-Expires-At").Single(), CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(expires, Is.EqualTo(service.Time.GetUtcNow().AddDays(7)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(html, Does.Contain("绿码").And.Contain("王*英").And.Contain(grandmaId[^4..]).And.Contain("河南省"));
            Assert.That(html, Does.Contain(expires.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)));
            Assert.That(html, Does.Not.Contain(grandmaId).And.Not.Contain("王秀英").And.Not.Contain("<script").And.Not.Contain("style="));
        });

        var printed = QrDecoder.Decode(RenderPrintedQr(html)) ?? throw new AssertionException("the printed QR did not decode");
        service.Time.Advance(TimeSpan.FromDays(3));
        var staff = await StaffClient.EnrolAsync(service.CreateClient());
        await holder.LogInAsync();
        Assert.That((await staff.VerifyAsync(printed))["valid"]!.GetValue<bool>(), Is.True, "three days on, the printed card still scans");
        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={grandma}", grandmasDeclaration);
        Assert.That((await staff.VerifyAsync(printed))["valid"]!.GetValue<bool>(), Is.True, "a daily declaration that keeps her green keeps the card");

        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={grandma}", grandmasDeclaration.With("symptoms", new[] { "cough" }));
        Assert.That(StaffClient.ErrorCode(await staff.VerifyAsync(printed)), Is.EqualTo("code_revoked"), "a newer status version makes the printed card stale");
    }

    [Test]
    public async Task OnlyAFamilyMembersCode_IsPrinted()
    {
        var holder = await HolderAsync();

        var response = await holder.GetAsync("/api/v1/me/code/qr?format=print");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Problems.ReadAsync(response)).Code, Is.EqualTo("print_dependants_only"));
    }

    [Test]
    public async Task Dependants_FollowTheSameRules_AsAHolder()
    {
        var holder = await HolderAsync();
        var neighbour = await HolderAsync();
        var child = await AddDependantAsync(holder, "李小宝", Declarations.IdFor(holder.Phone, member: 1));

        var heldElsewhere = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "张三艺", idNumber = Declarations.IdFor(neighbour.Phone) });
        var self = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "张三艺", idNumber = Declarations.IdFor(holder.Phone) });
        var again = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = Declarations.IdFor(holder.Phone, member: 1) });
        var wrongPerson = await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}", Declarations.Clean(holder.Phone));
        var holderAsDependant = await holder.DeclareAsync(Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", Declarations.IdFor(holder.Phone, member: 1)));
        var invalid = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "", idNumber = "110105194912310021" });

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await Problems.ReadAsync(heldElsewhere)).Code, Is.EqualTo("identity_bound_elsewhere"));
            Assert.That((await Problems.ReadAsync(self)).Code, Is.EqualTo("dependant_is_holder"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created), "adding the same family member twice is harmless");
            var mismatch = await Problems.ReadAsync(wrongPerson);
            Assert.That(mismatch.Code, Is.EqualTo("identity_mismatch"));
            Assert.That(mismatch.Fields, Is.EqualTo(new[] { "idNumber", "name" }));
            Assert.That((await Problems.ReadAsync(holderAsDependant)).Code, Is.EqualTo("identity_mismatch"), "without personId, a declaration is the holder's");
            Assert.That((await Problems.ReadAsync(invalid)).Fields, Is.EqualTo(new[] { "name", "idNumber" }));
        });
    }

    [Test]
    public async Task AnAccount_HoldsAtMostFiveDependants_AndOnlyAfterItsOwnDeclaration()
    {
        var holder = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var early = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = Declarations.IdFor(holder.Phone, member: 1) });
        Assert.That((await Problems.ReadAsync(early)).Code, Is.EqualTo("holder_required"));
        await holder.DeclareAsync(Declarations.Clean(holder.Phone));

        for (var member = 1; member <= 5; member++)
        {
            await AddDependantAsync(holder, "李小宝", Declarations.IdFor(holder.Phone, member));
        }

        var sixth = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name = "李小宝", idNumber = Declarations.IdFor(holder.Phone, member: 6) });
        Assert.That(sixth.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Problems.ReadAsync(sixth)).Code, Is.EqualTo("dependants_limit"));
    }

    [Test]
    public async Task AnotherAccountsFamilyMember_IsNotFound_ByAnyEndpoint()
    {
        var holder = await HolderAsync();
        var child = await AddDependantAsync(holder, "李小宝", Declarations.IdFor(holder.Phone, member: 1));
        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", Declarations.IdFor(holder.Phone, member: 1)));
        var stranger = await HolderAsync();

        var responses = new[]
        {
            await stranger.GetAsync($"/api/v1/me/code?personId={child}"),
            await stranger.GetAsync($"/api/v1/me/code/qr?format=text&personId={child}"),
            await stranger.GetAsync($"/api/v1/me/code/qr?format=print&personId={child}"),
            await stranger.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
                Declarations.Clean(stranger.Phone).With("name", "李小宝").With("idNumber", Declarations.IdFor(holder.Phone, member: 1))),
            await stranger.SendAsync(HttpMethod.Delete, $"/api/v1/me/dependants/{child}"),
        };

        foreach (var response in responses)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), response.RequestMessage!.RequestUri!.ToString());
            Assert.That((await Problems.ReadAsync(response)).Code, Is.EqualTo("person_not_found"));
        }

        Assert.That(await (await stranger.GetAsync("/api/v1/me/dependants")).Content.ReadAsStringAsync(), Is.EqualTo("[]"));
        Assert.That((await holder.GetAsync($"/api/v1/me/code?personId={child}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "still the holder's");
    }

    [Test]
    public async Task RemovingADependant_LeavesTheirCodeWithThePerson()
    {
        var holder = await HolderAsync();
        var childId = Declarations.IdFor(holder.Phone, member: 4);
        var child = await AddDependantAsync(holder, "李小宝", childId);
        await holder.SendAsync(HttpMethod.Post, $"/api/v1/declarations?personId={child}",
            Declarations.Clean(holder.Phone).With("name", "李小宝").With("idNumber", childId).With("contact", new { confirmedCase = false, suspectedCase = false, closeContactNotice = true }));

        var removed = await holder.SendAsync(HttpMethod.Delete, $"/api/v1/me/dependants/{child}");

        Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await (await holder.GetAsync("/api/v1/me/dependants")).Content.ReadAsStringAsync(), Is.EqualTo("[]"));
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        Assert.That((await ResidentClient.JsonAsync(await staff.LookupAsync(childId, "李小宝")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        var ownPhone = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var declared = await ownPhone.DeclareAsync(Declarations.Clean(ownPhone.Phone).With("name", "李小宝").With("idNumber", childId));
        Assert.That((await ResidentClient.JsonAsync(declared))["color"]!.GetValue<string>(), Is.EqualTo("red"), "declared from a phone of their own, red stays red");
    }

    internal static async Task<string> AddDependantAsync(ResidentClient holder, string name, string idNumber)
    {
        var added = await holder.SendAsync(HttpMethod.Post, "/api/v1/me/dependants", new { name, idNumber });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
        return (await ResidentClient.JsonAsync(added))["personId"]!.GetValue<string>();
    }

    private Task<ResidentClient> HolderAsync() => HolderAsync(factory);

    private static async Task<ResidentClient> HolderAsync(HealthCodeFactory on)
    {
        var holder = await new ResidentClient(on.CreateClient()).LogInAsync();
        var declared = await holder.DeclareAsync(Declarations.Clean(holder.Phone));
        Assert.That(declared.StatusCode, Is.EqualTo(HttpStatusCode.Created), await declared.Content.ReadAsStringAsync());
        return holder;
    }

    /// <summary>The printed card's QR as pixels: its modules (one SVG path of unit squares) drawn 8 pixels each, for a real decoder.</summary>
    private static byte[] RenderPrintedQr(string html)
    {
        var box = QrBox().Match(html);
        Assert.That(box.Success, Is.True, "the card holds the QR as a nested SVG");
        var modules = int.Parse(box.Groups["n"].Value, CultureInfo.InvariantCulture);
        const int scale = 8;
        using var bitmap = new SKBitmap(modules * scale, modules * scale);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var black = new SKPaint { Color = SKColors.Black };
        foreach (Match module in Module().Matches(box.Groups["d"].Value))
        {
            var x = int.Parse(module.Groups["x"].Value, CultureInfo.InvariantCulture);
            var y = int.Parse(module.Groups["y"].Value, CultureInfo.InvariantCulture);
            canvas.DrawRect(x * scale, y * scale, scale, scale, black);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [GeneratedRegex("""viewBox="0 0 (?<n>\d+) \d+" shape-rendering="crispEdges">.*?<path d="(?<d>[^"]*)" """)]
    private static partial Regex QrBox();

    [GeneratedRegex(@"M(?<x>\d+) (?<y>\d+)h1v1h-1z")]
    private static partial Regex Module();
}
