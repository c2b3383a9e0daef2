using System.Net;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Tests.Http;

/// <summary>
/// An existing database (schema 3, codes per phone account) upgraded to persons (DESIGN §8): each
/// existing code becomes a person, and where two phones declared one ID number the first keeps it,
/// with the most severe of the codes.
/// </summary>
[TestFixture]
internal sealed class PersonMigrationTests
{
    [Test]
    public async Task ExistingCodes_BecomePersons_AndASecondPhonesGreenNeverHidesTheFirstPhonesRed()
    {
        var phones = (First: "13912340001", Second: "13912340002", Other: "13912340003");
        var shared = Declarations.IdFor(phones.First);
        var file = Path.Combine(Path.GetTempPath(), "healthcode-tests", Guid.NewGuid().ToString("N"), "hc.db");
        await new SqliteDatabase($"Data Source={file}").MigrateAsync(3, CancellationToken.None);
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var seed = connection.CreateCommand();
            // The attack of issue 9 as the old schema stored it: the first phone is red; a second phone
            // declared the same ID number and got a green code of its own; a third phone is someone else.
            seed.CommandText = $"""
                INSERT INTO residents (id, phone, created_at) VALUES ('a', '{phones.First}', 1), ('b', '{phones.Second}', 2), ('c', '{phones.Other}', 3);
                INSERT INTO declarations (resident_id, submitted_at, day, payload, raw_color, color, negative_test, policy_version) VALUES
                    ('a', 1000, '2026-11-27', '[]', 2, 2, 0, 'v1'), ('b', 2000, '2026-11-27', '[]', 0, 0, 0, 'v1'), ('c', 3000, '2026-11-27', '[]', 0, 0, 0, 'v1');
                INSERT INTO codes (resident_id, code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail, id_number, full_name) VALUES
                    ('a', 'codeOfFirstPhone', 2, '[]', NULL, 1, 1000, '张*艺', '{shared[^4..]}', '{shared}', '张三艺'),
                    ('b', 'codeOfSecondPhon', 0, '[]', NULL, 1, 2000, '张*艺', '{shared[^4..]}', '{shared}', '张三艺'),
                    ('c', 'codeOfOtherPhone', 0, '[]', NULL, 1, 3000, '李*', '{Declarations.IdFor(phones.Other)[^4..]}', '{Declarations.IdFor(phones.Other)}', '李四');
                """;
            await seed.ExecuteNonQueryAsync();
        }

        using var factory = new HealthCodeFactory(file);
        var client = factory.CreateClient();
        var first = await LogInAsync(client, phones.First);
        var second = await LogInAsync(client, phones.Second);
        var other = await LogInAsync(client, phones.Other);
        var staff = await StaffClient.EnrolAsync(client);

        var firstCode = await ResidentClient.JsonAsync(await first.GetAsync("/api/v1/me/code"));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(firstCode["codeId"]!.GetValue<string>(), Is.EqualTo("codeOfFirstPhone"));
            Assert.That(firstCode["color"]!.GetValue<string>(), Is.EqualTo("red"));
            Assert.That((await second.GetAsync("/api/v1/me/code")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await ResidentClient.JsonAsync(await other.GetAsync("/api/v1/me/code")))["color"]!.GetValue<string>(), Is.EqualTo("green"));
            Assert.That((await ResidentClient.JsonAsync(await staff.LookupAsync(shared, "张三艺")))["color"]!.GetValue<string>(), Is.EqualTo("red"));
        });
        var again = await second.DeclareAsync(Declarations.Clean(phones.First));
        Assert.That((await Problems.ReadAsync(again)).Code, Is.EqualTo("identity_bound_elsewhere"));
        var history = await ResidentClient.JsonAsync(await first.DeclareAsync(Declarations.Clean(phones.First)));
        Assert.That(history["color"]!.GetValue<string>(), Is.EqualTo("red"), "the person's red history came through the upgrade");
    }

    private static async Task<ResidentClient> LogInAsync(HttpClient client, string phone) =>
        await new ResidentClient(client, phone).LogInAsync();
}
