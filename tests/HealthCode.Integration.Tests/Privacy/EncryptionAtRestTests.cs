using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Api.Tests.Support;
using HealthCode.Integration.Tests;
using Npgsql;

namespace HealthCode.Integration.Privacy;

/// <summary>
/// DESIGN §11, no personal field in clear in either store: a real service process on SQLite and on PostgreSQL takes
/// residents by phone, a dependant, declarations with names and travel, a population batch (uploaded with the real
/// <c>healthcode batch upload</c>) and an ID-card lookup; then every byte of the SQLite data folder (the database, its
/// <c>-wal</c>, the audit file) and a <c>pg_dump</c> of the PostgreSQL database are searched for the ID numbers, names
/// (UTF-8) and phones the test used, and none is there. Not under the HealthCode.Integration.Tests namespace, whose
/// [SetUpFixture] starts a service and a browser this needs not.
/// </summary>
[TestFixture]
public sealed class EncryptionAtRestTests
{
    private const string PopulationSource = "410000-GA-001";

    [TestCase("sqlite")]
    [TestCase("postgres")]
    public async Task NoIdNumberNameOrPhone_IsInTheStoreInClear(string engine)
    {
        var data = Directory.CreateTempSubdirectory("healthcode-crypt-").FullName;
        string? database = engine == "postgres" ? await PostgresServer.Shared.CreateDatabaseAsync() : null;
        var environment = new Dictionary<string, string?>();
        if (database is not null)
        {
            environment["ConnectionStrings__HealthCode"] = database;
            environment["HealthCode__Store__DataPath"] = data;
        }

        // Names no sample or other test uses, so a hit can only be this test's own.
        var holder = new Person(IdNumbers.NewValid("410105"), "欧阳明珠", ResidentPage.NewPhone());
        var dependant = new Person(IdNumbers.NewValid("410105"), "欧阳小满", null);
        var registerOnly = new Person(IdNumbers.NewValid("410105"), "司马青云", null);
        var second = new Person(IdNumbers.NewValid("410105"), "诸葛春燕", ResidentPage.NewPhone());
        Person[] everyone = [holder, dependant, registerOnly, second];
        try
        {
            await using (var api = await ApiProcess.StartAsync(new ApiProcessOptions { DataDirectory = data, Environment = environment }, TestContext.CurrentContext.CancellationToken))
            {
                using var client = new ServiceClient(api.BaseAddress);
                using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
                var gaToken = await RegisterPopulationSourceAsync(client);
                var register = Path.Combine(data, "..", $"population-{Guid.NewGuid():N}.csv");
                await File.WriteAllTextAsync(register,
                    "idNumber,name,region\n" + string.Concat(everyone.Select(p => $"{p.IdNumber},{p.Name},410105\n")), new UTF8Encoding(false));
                var (exit, output, errors) = await HealthCodeCli.RunAsync(
                    TimeSpan.FromSeconds(90),
                    "batch", "upload", "--url", api.BaseAddress.ToString().TrimEnd('/'), "--token", gaToken,
                    "--key", DepartmentKey("GA", "private"), "--source", PopulationSource, "--file", register, "--wait", "60");
                File.Delete(register);
                Assert.That(exit, Is.Zero, output + errors);

                var token = await client.LogInResidentAsync(holder.Phone!);
                await DeclareWithTravelAsync(http, token, holder);
                var added = await SendAsync(http, HttpMethod.Post, "/api/v1/me/dependants", token, new { name = dependant.Name, idNumber = dependant.IdNumber });
                Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
                var dependantId = JsonNode.Parse(await added.Content.ReadAsStringAsync())!["personId"]!.GetValue<string>();
                await DeclareWithTravelAsync(http, token, dependant, dependantId, holder.Phone);
                var secondToken = await client.LogInResidentAsync(second.Phone!);
                await DeclareWithTravelAsync(http, secondToken, second);

                var staff = await client.EnrolStaffAsync("CP-CRYPT");
                var found = await client.LookupAsync(staff, holder.IdNumber, holder.Name);
                Assert.That(found["color"], Is.Not.Null, found.ToJsonString());

                // The draft shows the holder's own phone and the register's name again: they read back decrypted.
                var draft = await SendAsync(http, HttpMethod.Get, "/api/v1/me/declaration/draft", token, null);
                var draftText = await draft.Content.ReadAsStringAsync();
                Assert.That(draftText, Does.Contain(holder.Name).And.Contain(holder.IdNumber), draftText);

                // While the service runs, so that the -wal files hold what was written since the last checkpoint.
                AssertNoneIn(engine == "sqlite" ? FolderBytes(data) : [], everyone, "the data folder while the service runs");
            }

            var stored = engine == "sqlite" ? FolderBytes(data) : [.. FolderBytes(data), .. await PgDumpAsync(database!)];
            Assert.That(stored.Sum(s => s.Bytes.Length), Is.GreaterThan(0));
            AssertNoneIn(stored, everyone, engine == "sqlite" ? "the SQLite data folder" : "the pg_dump of the database");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static void AssertNoneIn(IReadOnlyList<(string Name, byte[] Bytes)> files, IEnumerable<Person> persons, string where)
    {
        var needles = persons.SelectMany(p => new[] { p.IdNumber, p.Name, p.Phone }).OfType<string>().ToList();
        var hits = (from file in files
                    from needle in needles
                    where file.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0
                    select $"{needle} in {file.Name}").ToList();
        Assert.That(hits, Is.Empty, $"personal values in clear in {where}");
    }

    /// <summary>Every file under <paramref name="folder"/>, read while others may still write it.</summary>
    private static List<(string Name, byte[] Bytes)> FolderBytes(string folder)
    {
        var files = new List<(string, byte[])>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add((Path.GetFileName(path), copy.ToArray()));
        }

        return files;
    }

    /// <summary>The cluster's own <c>pg_dump</c> of <paramref name="connectionString"/>'s database, schema and data.</summary>
    private static async Task<List<(string Name, byte[] Bytes)>> PgDumpAsync(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Path.Combine(PostgresServer.BinFolder, "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username!, "--no-password", target.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var dump = new MemoryStream();
        var copied = process.StandardOutput.BaseStream.CopyToAsync(dump);
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        await copied;
        Assert.That(process.ExitCode, Is.Zero, await errors);
        Assert.That(Encoding.UTF8.GetString(dump.ToArray()), Does.Contain("CREATE TABLE public.persons"), "a dump of the store's schema");
        return [("pg_dump", dump.ToArray())];
    }

    /// <summary>The sample departments and catalogue, as SharingTests registers them; the population provider's (GA) token.</summary>
    private static async Task<string> RegisterPopulationSourceAsync(ServiceClient client)
    {
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Find(), "deploy", "sample-data", "catalog.json")))!;
        string? token = null;
        foreach (var department in catalog["departments"]!.AsArray())
        {
            var code = department!["code"]!.GetValue<string>();
            var key = JsonNode.Parse(await File.ReadAllTextAsync(DepartmentKey(code, "public")));
            await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/departments", new { code, name = department["name"]!.GetValue<string>(), key }, HttpStatusCode.Created);
            if (code == "GA")
            {
                var created = await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/operators", new { name = "GA 数据员", roles = new[] { "department:GA" } }, HttpStatusCode.Created);
                token = created!["token"]!.GetValue<string>();
            }
        }

        foreach (var entry in catalog["entries"]!.AsArray())
        {
            await client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/catalog", entry, HttpStatusCode.Created);
        }

        return token ?? throw new InvalidOperationException("The sample catalogue has no department GA.");
    }

    /// <summary>A declaration naming the person, with a fever and two stays elsewhere in the last days (travel).</summary>
    private static async Task DeclareWithTravelAsync(HttpClient http, string token, Person person, string? personId = null, string? phone = null)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var response = await SendAsync(http, HttpMethod.Post, "/api/v1/declarations" + (personId is null ? "" : $"?personId={personId}"), token, new
        {
            name = person.Name,
            idNumber = person.IdNumber,
            phone = phone ?? person.Phone,
            region = "410105",
            travel = new[]
            {
                new { region = "310101", from = today.AddDays(-6), to = today.AddDays(-4) },
                new { region = "440305", from = today.AddDays(-3), to = today.AddDays(-2) },
            },
            symptoms = new[] { "cough" },
            temperature = 37.8m,
            contact = new { confirmedCase = false, suspectedCase = false, closeContactNotice = false },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    private static string DepartmentKey(string code, string part) => Path.Combine(RepoRoot.Find(), "keys-sample", "departments", code, $"{code}.{part}.jwk");

    private sealed record Person(string IdNumber, string Name, string? Phone);
}

/// <summary>Stops the tests' private PostgreSQL cluster, if a test here started one, after the last of them.</summary>
[SetUpFixture]
public sealed class EncryptionAtRestRun
{
    [OneTimeTearDown]
    public void StopPostgres() => PostgresServer.StopShared();
}
