using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// DESIGN §8 over HTTP: the person behind a code. Reproduces what an attacker did before (a red code
/// turned green, another person's lookup overwritten, by a second phone declaring the same person).
/// </summary>
[TestFixture]
internal sealed class IdentityTests
{
    private HealthCodeFactory factory = null!;

    [OneTimeSetUp]
    public void StartService() => factory = new HealthCodeFactory();

    [OneTimeTearDown]
    public void StopService() => factory.Dispose();

    [Test]
    public async Task SecondPhone_DeclaringAHeldIdNumber_IsRefused_AndRedStaysRed()
    {
        var owner = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var person = Declarations.Clean(owner.Phone);
        var red = await owner.DeclareAsync(Declarations.Clean(owner.Phone).With("contact", new { confirmedCase = true, suspectedCase = false, closeContactNotice = false }));
        Assert.That(red.StatusCode, Is.EqualTo(HttpStatusCode.Created), await red.Content.ReadAsStringAsync());

        var attacker = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var refused = await attacker.DeclareAsync(Declarations.Clean(attacker.Phone).With("idNumber", person["idNumber"]));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var problem = await ResidentClient.JsonAsync(refused);
        var masked = $"{owner.Phone[..3]}****{owner.Phone[7..]}";
        Assert.Multiple(() =>
        {
            Assert.That(problem["code"]!.GetValue<string>(), Is.EqualTo("identity_bound_elsewhere"));
            Assert.That(problem["heldBy"]!.GetValue<string>(), Is.EqualTo(masked));
            Assert.That(problem["errors"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("idNumber"));
            Assert.That(problem.ToJsonString(), Does.Not.Contain(owner.Phone));
        });

        Assert.That((await ResidentClient.JsonAsync(await owner.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        Assert.That((await attacker.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the attacker got no code");
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var lookup = await staff.LookupAsync((string)person["idNumber"]!, "张三艺");
        Assert.That((await ResidentClient.JsonAsync(lookup))["color"]!.GetValue<string>(), Is.EqualTo("red"), "the lookup still answers the person's own code");
    }

    [Test]
    public async Task Holder_IsFixedByTheFirstDeclaration_AndEachDifferingFieldIsNamed()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        await resident.DeclareAsync(Declarations.Clean(resident.Phone));
        var other = Declarations.IdFor(resident.Phone, member: 1);

        var name = await Problems.ReadAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("name", "李四")));
        var id = await Problems.ReadAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("idNumber", other)));
        var both = await Problems.ReadAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("idNumber", other).With("name", "李四")));

        Assert.Multiple(() =>
        {
            Assert.That(name.Code, Is.EqualTo("identity_mismatch"));
            Assert.That(name.Fields, Is.EqualTo(new[] { "name" }));
            Assert.That(id.Fields, Is.EqualTo(new[] { "idNumber" }));
            Assert.That(both.Fields, Is.EqualTo(new[] { "idNumber", "name" }));
        });
        var again = await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("idNumber", Declarations.IdFor(resident.Phone).ToLowerInvariant()).With("name", " 张三艺 "));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the same person, written with a lowercase x or spaces, is the holder");
    }

    [Test]
    public async Task ADeclarationThatKeepsTheColour_KeepsTheCodeOnScreenValid_AColourChangeVoidsIt()
    {
        var resident = await new ResidentClient(factory.CreateClient()).LogInAsync();
        var staff = await StaffClient.EnrolAsync(factory.CreateClient());
        var first = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));
        var onScreen = await (await resident.GetAsync("/api/v1/me/code/qr?format=text")).Content.ReadAsStringAsync();

        var same = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone)));
        Assert.That(same["statusVersion"]!.GetValue<int>(), Is.EqualTo(first["statusVersion"]!.GetValue<int>()));
        Assert.That((await staff.VerifyAsync(onScreen))["valid"]!.GetValue<bool>(), Is.True);

        var yellow = await ResidentClient.JsonAsync(await resident.DeclareAsync(Declarations.Clean(resident.Phone).With("symptoms", new[] { "cough" })));
        Assert.That(yellow["statusVersion"]!.GetValue<int>(), Is.GreaterThan(first["statusVersion"]!.GetValue<int>()));
        Assert.That(StaffClient.ErrorCode(await staff.VerifyAsync(onScreen)), Is.EqualTo("code_revoked"));
    }

    [Test]
    public async Task MovingAPerson_WithTheOldPhonesCode_TakesTheCodeHistoryAndFamily_AndIsAudited()
    {
        var client = factory.CreateClient();
        var oldPhone = await new ResidentClient(client).LogInAsync();
        var person = Declarations.Clean(oldPhone.Phone);
        var declared = await ResidentClient.JsonAsync(await oldPhone.DeclareAsync(Declarations.Clean(oldPhone.Phone).With("symptoms", new[] { "fever" })));
        var child = await FamilyTests.AddDependantAsync(oldPhone, "李小宝", Declarations.IdFor(oldPhone.Phone, member: 1));
        var newPhone = await new ResidentClient(client).LogInAsync();
        Assert.That((await newPhone.DeclareAsync(Declarations.Clean(newPhone.Phone).With("idNumber", person["idNumber"]))).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        var wrong = await newPhone.SendAsync(HttpMethod.Post, "/api/v1/me/transfer", new { idNumber = person["idNumber"], name = "张三艺", oldPhone = oldPhone.Phone, code = "000000" });
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no move without the old phone's code");
        factory.Time.Advance(TimeSpan.FromSeconds(31)); // the old phone logged in moments ago: past the resend interval
        var otp = await client.PostAsJsonAsync("/api/v1/auth/otp", new { phone = oldPhone.Phone });
        var code = (await otp.Content.ReadFromJsonAsync<JsonObject>())!["devCode"]!.GetValue<string>();
        var moved = await newPhone.SendAsync(HttpMethod.Post, "/api/v1/me/transfer", new { idNumber = person["idNumber"], name = "张三艺", oldPhone = oldPhone.Phone, code });

        Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await moved.Content.ReadAsStringAsync());
        var now = await ResidentClient.JsonAsync(await newPhone.GetAsync("/api/v1/me/code"));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(now["codeId"]!.GetValue<string>(), Is.EqualTo(declared["codeId"]!.GetValue<string>()), "one person, one code");
            Assert.That(now["color"]!.GetValue<string>(), Is.EqualTo("yellow"));
            Assert.That((await oldPhone.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await newPhone.GetAsync($"/api/v1/me/code?personId={child}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the child moved too, with no code yet");
            Assert.That(await (await newPhone.GetAsync("/api/v1/me/dependants")).Content.ReadAsStringAsync(), Does.Contain(child));
        });
        var history = await ResidentClient.JsonAsync(await newPhone.DeclareAsync(Declarations.Clean(newPhone.Phone).With("idNumber", person["idNumber"])));
        Assert.That(history["color"]!.GetValue<string>(), Is.EqualTo("yellow"), "the person's history came along: one clean day does not turn yellow green");
        var audit = await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit")).Content.ReadAsStringAsync();
        Assert.That(audit, Does.Contain("moved_by_old_phone_code"));
    }

    [Test]
    public async Task GuessingTheOldPhonesCode_ThroughAMove_SpendsThatPhonesWrongGuessBudget()
    {
        var client = factory.CreateClient();
        var oldPhone = await new ResidentClient(client).LogInAsync();
        var person = Declarations.Clean(oldPhone.Phone);
        await oldPhone.DeclareAsync(person);
        var thief = await new ResidentClient(client).LogInAsync();
        // Each code dies after a few wrong tries; the thief asks for new ones (past the resend interval)
        // and keeps guessing, as the attacker did at login.
        HttpResponseMessage guess = null!;
        var code = "";
        for (var round = 0; round < 4 && guess?.StatusCode != HttpStatusCode.TooManyRequests; round++)
        {
            factory.Time.Advance(TimeSpan.FromSeconds(31));
            var otp = await client.PostAsJsonAsync("/api/v1/auth/otp", new { phone = oldPhone.Phone });
            code = (await otp.Content.ReadFromJsonAsync<JsonObject>())!["devCode"]!.GetValue<string>();
            var wrong = code == "000000" ? "000001" : "000000";
            for (var i = 0; i < 5 && guess?.StatusCode != HttpStatusCode.TooManyRequests; i++)
            {
                guess = await thief.SendAsync(HttpMethod.Post, "/api/v1/me/transfer", new { idNumber = person["idNumber"], name = "张三艺", oldPhone = oldPhone.Phone, code = wrong });
            }
        }

        Assert.That(guess!.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "a move is no way around the phone's wrong-guess budget");
        Assert.That(guess.Headers.RetryAfter, Is.Not.Null);
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { phone = oldPhone.Phone, code });
        Assert.That((await Problems.ReadAsync(login)).Code, Is.EqualTo("otp_rate_limited_guesses"), "the budget is the phone's, whichever endpoint spent it");
    }

    [Test]
    public async Task MovingAPerson_ByAnOperator_NeedsAReason_AndTheNewPhonesFirstLogin_AndIsAudited()
    {
        var client = factory.CreateClient();
        var lost = await new ResidentClient(client).LogInAsync();
        var person = Declarations.Clean(lost.Phone);
        await lost.DeclareAsync(person);
        var replacement = new ResidentClient(client);

        var noReason = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/persons/transfer", new { idNumber = person["idNumber"], name = "张三艺", toPhone = replacement.Phone });
        var notLoggedIn = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/persons/transfer", new { idNumber = person["idNumber"], name = "张三艺", toPhone = replacement.Phone, reason = "ticket 2026-118, ID card seen at the desk" });
        await replacement.LogInAsync();
        var byResident = await replacement.SendAsync(HttpMethod.Post, "/api/v1/admin/persons/transfer", new { idNumber = person["idNumber"], name = "张三艺", toPhone = replacement.Phone, reason = "mine" });
        var moved = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/persons/transfer", new { idNumber = person["idNumber"], name = "张三艺", toPhone = replacement.Phone, reason = "ticket 2026-118, ID card seen at the desk" });

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await Problems.ReadAsync(noReason)).Fields, Is.EqualTo(new[] { "reason" }));
            Assert.That(notLoggedIn.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(byResident.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a resident's session is not an operator's key");
            Assert.That(moved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await moved.Content.ReadAsStringAsync());
            Assert.That((await replacement.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await lost.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
        var audit = await (await StaffClient.Operator(client, HttpMethod.Get, "/api/v1/admin/audit")).Content.ReadAsStringAsync();
        Assert.That(audit, Does.Contain("moved_by_operator").And.Not.Contain((string)person["idNumber"]!).And.Not.Contain(replacement.Phone));
    }
}
