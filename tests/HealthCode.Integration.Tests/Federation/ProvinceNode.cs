using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Integration.Tests;

namespace HealthCode.Integration.Federation;

/// <summary>
/// One HealthCode.Api process of a federation (a province or the hub) on a fixed loopback port,
/// with its own copy of its keys and its own SQLite folder, so it can be stopped and started
/// again where its partners expect it. Operator, staff and resident calls go through HTTP only.
/// </summary>
internal sealed class ProvinceNode : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private readonly StringBuilder _earlierOutput = new();
    private ApiProcess? _process;

    private ProvinceNode(string code, string name, string keysPath, string dataDirectory, Dictionary<string, string?> environment)
    {
        Code = code;
        Name = name;
        KeysPath = keysPath;
        DataDirectory = dataDirectory;
        Port = ApiProcess.FreeTcpPort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        _environment = environment;
        Client = new ServiceClient(BaseAddress);
    }

    /// <summary>The 6-digit province code (<c>000000</c> for the hub).</summary>
    public string Code { get; }

    public string Name { get; }

    /// <summary>This node's own copy of its keys: rotation writes into it, never into keys-sample/.</summary>
    public string KeysPath { get; }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public Uri TrustListUrl => new(BaseAddress, "/.well-known/healthcode/trust-list");

    public ServiceClient Client { get; }

    public bool IsRunning => _process is not null;

    /// <summary>Everything the process wrote, over every start.</summary>
    public string Output => _earlierOutput + (_process?.Output ?? "");

    /// <summary>
    /// A province (not started yet) with a copy of <c>keys-sample/&lt;keysFolder&gt;</c> under <paramref name="workDirectory"/>.
    /// Two nodes of one code in one work folder share that copy and the SQLite folder: two instances of one province.
    /// </summary>
    /// <param name="settings">Extra configuration as environment variables (Redis, hub, federation timings).</param>
    /// <param name="keysFolder">The keys-sample/ folder; the province code when null (the hub's is <c>hub</c>).</param>
    public static ProvinceNode Create(string workDirectory, string code, string name, IReadOnlyDictionary<string, string?> settings, string? keysFolder = null)
    {
        var keysPath = CopyKeys(workDirectory, keysFolder ?? code);
        var dataDirectory = Directory.CreateDirectory(Path.Combine(workDirectory, "data-" + code)).FullName;
        var environment = new Dictionary<string, string?>(settings)
        {
            ["HealthCode__Province__Code"] = code,
            ["HealthCode__Province__Name"] = name,
            ["HealthCode__Keys__Path"] = keysPath,
        };
        // The store: the SQLite file in the data folder, unless the settings name another (PostgreSQL).
        environment.TryAdd("ConnectionStrings__HealthCode", $"Data Source={Path.Combine(dataDirectory, "healthcode.db")}");
        return new ProvinceNode(code, name, keysPath, dataDirectory, environment);
    }

    /// <summary>Copies <c>keys-sample/&lt;folder&gt;</c> into <c>&lt;workDirectory&gt;/keys/&lt;folder&gt;</c> (once) and returns the copy.</summary>
    public static string CopyKeys(string workDirectory, string folder)
    {
        var target = Path.Combine(workDirectory, "keys", folder);
        if (!Directory.Exists(target))
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot.Find(), "keys-sample", folder)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return target;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            return;
        }

        _process = await ApiProcess.StartAsync(
            new ApiProcessOptions { Port = Port, DataDirectory = DataDirectory, Environment = _environment },
            cancellationToken);
    }

    /// <summary>Kills the process (the province "goes dark"); its data and keys stay for a later start.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        _earlierOutput.Append(_process.Output);
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>The root public JWK, as exchanged with partners and the hub out of band.</summary>
    public JsonNode RootPublicKey() => JsonNode.Parse(File.ReadAllText(Path.Combine(KeysPath, "root.public.jwk")))!;

    /// <summary>What a partner or the hub registers for this province: <c>{iss, name, trustListUrl, rootKey}</c>.</summary>
    public object Registration() => new { iss = Code, name = Name, trustListUrl = TrustListUrl.ToString(), rootKey = RootPublicKey() };

    /// <summary><c>POST /api/v1/admin/partners</c> here for <paramref name="partner"/> (bilateral, pinned root).</summary>
    public async Task<JsonObject> RegisterPartnerAsync(object registration) =>
        (await Client.OperatorAsync(HttpMethod.Post, "/api/v1/admin/partners", registration, HttpStatusCode.Created))!.AsObject();

    public Task RemovePartnerAsync(string issuer) =>
        Client.OperatorAsync(HttpMethod.Delete, $"/api/v1/admin/partners/{issuer}", null, HttpStatusCode.NoContent);

    /// <summary>This province's view of one partner (<c>GET /api/v1/admin/partners</c>), or null when it has none by that code.</summary>
    public async Task<JsonObject?> PartnerAsync(string issuer)
    {
        var partners = (await Client.OperatorAsync(HttpMethod.Get, "/api/v1/admin/partners", null, HttpStatusCode.OK))!.AsArray();
        return partners.Select(p => p!.AsObject()).FirstOrDefault(p => (string?)p["issuer"] == issuer);
    }

    /// <summary>Polls the partner list until <paramref name="condition"/> holds for <paramref name="issuer"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> WaitForPartnerAsync(string issuer, Func<JsonObject, bool> condition, TimeSpan timeout, string what)
    {
        JsonObject? last = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            last = await PartnerAsync(issuer);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{Name} ({Code}): partner {issuer} not {what} within {timeout.TotalSeconds} s; last seen: {last?.ToJsonString() ?? "absent"}");
        return null!;
    }

    /// <summary>Verifies at this checkpoint until <paramref name="condition"/> holds for the verdict; fails after <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> WaitForVerdictAsync(StaffMember staff, string qr, Func<JsonObject, bool> condition, TimeSpan timeout, string what)
    {
        JsonObject? last = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            last = await Client.VerifyAsync(staff, qr);
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{Name} ({Code}): verdict not {what} within {timeout.TotalSeconds} s; last verdict: {last?.ToJsonString()}");
        return null!;
    }

    /// <summary>A checkpoint staff member of this province, enrolled by its operator.</summary>
    public Task<StaffMember> EnrolStaffAsync() => Client.EnrolStaffAsync($"{Code}-gate-{Guid.NewGuid():N}"[..20]);

    /// <summary>A new resident who declares (green) here and shows their code: the exact QR text, signed with the active key.</summary>
    public async Task<Resident> NewResidentAsync()
    {
        var phone = ResidentPage.NewPhone();
        var idNumber = IdNumbers.NewValid();
        var token = await Client.LogInResidentAsync(phone);
        await Client.DeclareAsync(token, phone, Resident.Name, idNumber);
        return new Resident(this, token, await Client.GetQrTextAsync(token), phone, idNumber);
    }

    /// <summary>The last lines the process wrote, for a failure report.</summary>
    public string OutputTail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Client.Dispose();
    }
}

/// <summary>A resident of a province with a session, and the QR text they showed when created.</summary>
internal sealed record Resident(ProvinceNode Province, string SessionToken, string Qr, string Phone, string IdNumber)
{
    /// <summary>The name every test resident declares (masked <c>张*艺</c> in the token).</summary>
    public const string Name = "张三艺";

    /// <summary>A freshly signed QR of the same resident (signed with the province's active key now).</summary>
    public Task<string> FreshQrAsync() => Province.Client.GetQrTextAsync(SessionToken);

    /// <summary>
    /// A new declaration by the same resident, which raises the code's status version; with contact
    /// with a confirmed case it turns the code red (DESIGN §6). Returns <c>{codeId, color, statusVersion, ...}</c>.
    /// </summary>
    public Task<JsonObject> DeclareAgainAsync(bool confirmedCaseContact) =>
        Province.Client.DeclareAsync(SessionToken, Phone, Name, IdNumber, confirmedCaseContact);
}
