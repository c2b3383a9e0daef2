using System.Net;
using HealthCode.Api.Tests.Support;
using static HealthCode.Api.Tests.Support.AccountabilityFixtures;

namespace HealthCode.Api.Tests.Privacy;

/// <summary>
/// Issue 13's fault "a tampered ciphertext (refused, never decrypted into garbage)", through the API: a name moved from
/// one person's row to another's, as someone with write access to the store might, is refused where the service reads
/// it, and the request is answered with a stable code, not with another person's name.
/// </summary>
[TestFixture]
internal sealed class TamperedStoreTests
{
    [Test]
    public async Task ANameMovedToAnotherPersonsRow_IsRefused_WithAStableCode()
    {
        using var factory = new HealthCodeFactory();
        var client = factory.CreateClient();
        var (first, firstId) = await GreenResidentAsync(client);
        var (second, secondId) = await GreenResidentAsync(client);
        var firstPerson = (await CodeAsync(first))["personId"]!.GetValue<string>();
        var secondPerson = (await CodeAsync(second))["personId"]!.GetValue<string>();

        // The second person's encrypted name, copied over the first's: a valid value of another row.
        factory.Execute($"UPDATE persons SET full_name = (SELECT full_name FROM persons WHERE id = '{secondPerson}') WHERE id = '{firstPerson}'");
        var again = await first.DeclareAsync(Declarations.Clean(first.Phone));

        var problem = await Problems.AssertAsync(again, HttpStatusCode.InternalServerError, "stored_value_refused");
        Assert.That(problem.ToJsonString(), Does.Not.Contain(firstId).And.Not.Contain(secondId).And.Not.Contain("张三艺"));
    }
}
