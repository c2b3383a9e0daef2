using System.Net;
using HealthCode.Api.Tests.Support;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Postgres;

/// <summary>
/// The service process on PostgreSQL (DESIGN §11): started on a <c>Host=...;Database=...</c> connection string, its schema
/// created by the migrations at start, it takes a declaration, and after <c>kill -9</c> and a restart still has it. Not
/// under the HealthCode.Integration.Tests namespace: that one's [SetUpFixture] starts a service and a browser this needs not.
/// </summary>
[TestFixture]
public sealed class PostgresServiceTests
{
    [Test]
    public async Task TheService_StartsOnPostgres_TakesADeclaration_AndStillHasItAfterKill9AndARestart()
    {
        var data = Directory.CreateTempSubdirectory("healthcode-pg-").FullName;
        var options = new ApiProcessOptions
        {
            DataDirectory = data,
            Environment = new Dictionary<string, string?>
            {
                ["ConnectionStrings__HealthCode"] = await PostgresServer.Shared.CreateDatabaseAsync(),
                ["HealthCode__Store__DataPath"] = data,
            },
        };
        try
        {
            var idNumber = IdNumbers.NewValid();
            StaffMember staff;
            string codeId;
            string residentToken;
            await using (var api = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken))
            {
                using var client = new ServiceClient(api.BaseAddress);
                staff = await client.EnrolStaffAsync("CP-PG");
                var phone = ResidentPage.NewPhone();
                residentToken = await client.LogInResidentAsync(phone);
                var declared = await client.DeclareAsync(residentToken, phone, "张三艺", idNumber, confirmedCaseContact: true);
                codeId = declared["codeId"]!.GetValue<string>();
                Assert.That(File.Exists(Path.Combine(data, "hc.db")), Is.False, "no SQLite file: the store is PostgreSQL");
                await api.KillAsync();
            }

            await using var restarted = await ApiProcess.StartAsync(options, TestContext.CurrentContext.CancellationToken);
            using var again = new ServiceClient(restarted.BaseAddress);
            // The resident's session and code, and the staff member, all outlived the kill.
            var qr = await again.GetQrTextAsync(residentToken);
            var found = await again.LookupAsync(staff, idNumber, "张三艺");
            var chain = await again.OperatorAsync(HttpMethod.Get, "/api/v1/admin/audit/verify", null, HttpStatusCode.OK);
            Assert.Multiple(() =>
            {
                Assert.That(HealthCode.Trust.Tokens.QrText.TryDecode(qr, out var jws), Is.True, qr);
                Assert.That(System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jws.Split('.')[1])), Does.Contain(codeId));
                Assert.That(found["color"]!.GetValue<string>(), Is.EqualTo("red"), found.ToJsonString());
                Assert.That(chain!["valid"]!.GetValue<bool>(), Is.True, chain.ToJsonString());
            });
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

/// <summary>Stops the tests' private PostgreSQL cluster, if a test here started one, after the last of them.</summary>
[SetUpFixture]
public sealed class PostgresTestRun
{
    [OneTimeTearDown]
    public void StopPostgres() => PostgresServer.StopShared();
}
