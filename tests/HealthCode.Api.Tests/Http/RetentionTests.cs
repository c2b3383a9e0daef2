using System.Net;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using static HealthCode.Api.Tests.Support.AccountabilityFixtures;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// The retention purge of personal data (DESIGN §11) on a real Kestrel and a real store: what residents declared past
/// <c>HealthCode:Privacy:RetentionDays</c> (28) is removed, with expired sessions; a department's dated facts past the
/// sooner of that and its catalogue entry's retention too, and the person is scored again without them.
/// </summary>
[TestFixture]
internal sealed class RetentionTests
{
    [Test]
    public async Task ThePurge_RemovesWhatIsPastRetention_KeepsTheRest_AndTheCodeFollows()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var (first, id) = await GreenResidentAsync(client);                                    // day 0: declaration 1
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id, untilDays: 1), "cc-1");      // a notice that ends on day 1
        using var lab = await SharingClient.CreateAsync(factory, client, "tests", "核酸检测结果");
        factory.Execute($"UPDATE catalog SET retention_days = 3 WHERE code = '{lab.Source}'");   // the lab keeps its results 3 days

        factory.Time.Advance(TimeSpan.FromDays(25));
        var resident = await new ResidentClient(client, first.Phone).LogInAsync();
        Assert.That((await resident.DeclareAsync(Declarations.Clean(resident.Phone))).StatusCode, Is.EqualTo(HttpStatusCode.Created)); // day 25: declaration 2
        var sampled = factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).AddHours(-1);
        await lab.UploadAndWaitAsync($"idNumber,name,sampledAt,result,lab\n{id},张三艺,{sampled:yyyy-MM-ddTHH:mm:sszzz},positive,郑州检测\n", "lab-1");
        Assert.That(ReasonCodes(await CodeAsync(resident)), Does.Contain("reported_positive_test"));

        // Day 30: declaration 1 is 30 days old (past 28), declaration 2 is 5; the close-contact notice ended 29 days ago;
        // the test is 5 days old, past the lab's 3. (The hourly purge may run on the advanced clock too: the checks below
        // read what is left, which is the same whichever run removed it.)
        factory.Time.Advance(TimeSpan.FromDays(5));
        var purge = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/retention/purge");
        var answer = JsonNode.Parse(await purge.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(purge.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
            Assert.That(answer["cutoff"]!.GetValue<DateTimeOffset>(), Is.EqualTo(factory.Time.GetUtcNow().AddDays(-28)));
            Assert.That(factory.Query("SELECT count(*) FROM declarations"), Is.EqualTo(new[] { "1" }), "the declaration of day 25 is kept");
            Assert.That(factory.Query("SELECT day FROM declarations"), Is.EqualTo(new[] { factory.Time.GetUtcNow().AddDays(-5).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }));
            Assert.That(factory.Query("SELECT count(*) FROM declaration_regions WHERE declaration_id NOT IN (SELECT id FROM declarations)"), Is.EqualTo(new[] { "0" }), "the purged declaration's regions go with it");
            Assert.That(factory.Query("SELECT count(*) FROM declaration_regions"), Is.Not.EqualTo(new[] { "0" }), "the kept declaration's regions stay");
            Assert.That(factory.Query("SELECT count(*) FROM fact_close_contacts"), Is.EqualTo(new[] { "0" }));
            Assert.That(factory.Query("SELECT count(*) FROM fact_tests"), Is.EqualTo(new[] { "0" }));
            Assert.That(factory.Query($"SELECT count(*) FROM sessions WHERE expires_at < {factory.Time.GetUtcNow().AddDays(-28).ToUnixTimeMilliseconds()}"), Is.EqualTo(new[] { "0" }), "the session of day 0, expired 29 days ago");
            Assert.That(factory.Query($"SELECT count(*) FROM sessions WHERE expires_at < {factory.Time.GetUtcNow().ToUnixTimeMilliseconds()}"), Is.Not.EqualTo(new[] { "0" }), "the session of day 25, expired 4 days ago, still answers session_expired");
            Assert.That(factory.Query("SELECT count(*) FROM persons"), Is.EqualTo(new[] { "1" }), "persons are kept");
            Assert.That(factory.Query("SELECT count(*) FROM codes"), Is.EqualTo(new[] { "1" }), "codes are kept");
        });

        // Scored again without the purged test: its reason is gone from the code.
        var again = await new ResidentClient(client, first.Phone).LogInAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string[] reasons;
        do
        {
            reasons = ReasonCodes(await CodeAsync(again));
        }
        while (reasons.Contains("reported_positive_test") && DateTime.UtcNow < deadline && await Pause());
        Assert.That(reasons, Does.Not.Contain("reported_positive_test"));
    }

    [Test]
    public async Task ThePurge_KeepsWhatIsWithinRetention()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var (resident, id) = await GreenResidentAsync(client);
        using var cdc = await SharingClient.CreateAsync(factory, client, "close_contacts", "密切接触者名单");
        await cdc.UploadAndWaitAsync(CloseContact(factory.Time, id, untilDays: 10), "cc-1");
        factory.Time.Advance(TimeSpan.FromDays(27));

        var purge = await StaffClient.Operator(client, HttpMethod.Post, "/api/v1/admin/retention/purge");
        var answer = JsonNode.Parse(await purge.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(purge.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
            Assert.That(answer["declarations"]!.GetValue<int>(), Is.Zero);
            Assert.That(answer["closeContacts"]!.GetValue<int>(), Is.Zero);
            Assert.That(factory.Query("SELECT count(*) FROM declarations"), Is.EqualTo(new[] { "1" }));
            Assert.That(factory.Query("SELECT count(*) FROM fact_close_contacts"), Is.EqualTo(new[] { "1" }), "the notice ended 17 days ago: within 28");
        });
    }

    private static async Task<bool> Pause()
    {
        await Task.Delay(200);
        return true;
    }
}
