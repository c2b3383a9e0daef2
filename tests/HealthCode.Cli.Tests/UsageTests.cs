namespace HealthCode.Cli.Tests;

/// <summary>
/// Bad command lines: exit code 2 (<see cref="CommandLine.UsageError"/>) and one line on stderr, the reason and a hint to
/// the command's own help, never the whole help; nothing written. And <c>--help</c> for every command.
/// </summary>
public sealed class UsageTests
{
    /// <summary>Every command an operator can run, as its path below <c>healthcode</c>, with options its help must list.</summary>
    private static readonly object[] Commands =
    [
        new object[] { "keys generate", new[] { "--province", "--hub", "--department", "--out" } },
        new object[] { "keys thumbprint", new[] { "<file.jwk>" } },
        new object[] { "keys rotate", new[] { "--keys" } },
        new object[] { "keys revoke", new[] { "<kid>", "--reason", "--keys" } },
        new object[] { "trust-list sign", new[] { "--keys", "--province", "--name", "--seq", "--days", "--revoke", "--out" } },
        new object[] { "federation sign", new[] { "--anchor", "--members", "--seq", "--days", "--out" } },
        new object[] { "batch sign", new[] { "--key", "--source", "--file", "--batch-id", "--out" } },
        new object[] { "batch upload", new[] { "--url", "--token", "--key", "--source", "--file", "--batch-id", "--manifest", "--wait" } },
        new object[] { "verify", new[] { "<qr text | file.png>", "--trust", "--province" } },
        new object[] { "load verify", new[] { "--url", "--token", "--checkpoint", "--seconds", "--warmup", "--concurrency", "--keys", "--province", "--json" } },
        new object[] { "keys", new[] { "generate", "thumbprint", "rotate", "revoke" } },
        new object[] { "batch", new[] { "sign", "upload" } },
    ];

    [Test]
    public async Task Help_ListsTheCommands_AndExitsZero()
    {
        CliResult run = await Cli.RunAsync("--help");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok));
            Assert.That(run.Stdout, Does.Contain("HealthCode operator tool").And.Contain("healthcode [command] [options]"));
            foreach (string group in new[] { "keys", "trust-list", "federation", "batch", "verify", "load" })
            {
                Assert.That(run.Stdout, Does.Contain($"\n  {group} "), group);
            }

            Assert.That(run.Stderr, Is.Empty);
        });
    }

    [TestCaseSource(nameof(Commands))]
    public async Task EachCommand_HasItsOwnHelp(string command, string[] listed)
    {
        foreach (string help in new[] { "--help", "-h" })
        {
            CliResult run = await Cli.RunAsync([.. command.Split(' '), help]);

            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
                Assert.That(run.Stdout, Does.Contain($"Usage:\n  healthcode {command} "), "the usage line names the command, not the test host");
                foreach (string option in listed)
                {
                    Assert.That(run.Stdout, Does.Contain(option), option);
                }

                Assert.That(run.Stderr, Is.Empty);
            });
        }
    }

    [Test]
    public async Task Help_WinsOverAMistake_OnTheSameLine()
    {
        CliResult run = await Cli.RunAsync("batch", "upload", "--fo", "--help");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok), run.ToString());
            Assert.That(run.Stdout, Does.Contain("healthcode batch upload"));
        });
    }

    // Arguments are split on spaces; '' is an empty argument; {dir} is an empty temporary folder, which must stay empty.
    // The second column is the command whose help the hint names ('' for healthcode itself), the third the reason.
    [TestCase("", "", "a command is required: keys, trust-list, federation, batch, verify, load.")]
    [TestCase("keys", "keys", "'healthcode keys' needs a command: generate, thumbprint, rotate, revoke, privacy.")]
    [TestCase("keys list", "keys", "unknown command 'keys list'.")]
    [TestCase("batch", "batch", "'healthcode batch' needs a command: sign, upload.")]
    [TestCase("batch apply", "batch", "unknown command 'batch apply'.")]
    [TestCase("--colour", "", "unknown option '--colour'.")]
    [TestCase("keys generate", "keys generate", "give exactly one of --province <code>, --hub or --department <code>.")]
    [TestCase("keys generate --province 410000 --hub --out {dir}/k", "keys generate", "give exactly one of --province <code>, --hub or --department <code>.")]
    [TestCase("keys generate --department CDC --province 410000 --out {dir}/k", "keys generate", "give exactly one of --province <code>, --hub or --department <code>.")]
    [TestCase("keys generate --department cdc --out {dir}/k", "keys generate", "--department must be 1-32 capital letters, digits and '-', like CDC or LAB-01, not \"cdc\".")]
    [TestCase("keys generate --department ../CDC --out {dir}/k", "keys generate", "--department must be 1-32 capital letters")]
    [TestCase("keys generate --department LAB- --out {dir}/k", "keys generate", "--department must be 1-32 capital letters")]
    [TestCase("keys generate --department CDC --department GA --out {dir}/k", "keys generate", "'--department' expects a single argument but 2 were provided.")]
    [TestCase("keys generate --province 4100 --out {dir}/k", "keys generate", "--province must be a 6-digit GB/T 2260 code")]
    [TestCase("keys generate --province 41000x --out {dir}/k", "keys generate", "--province must be a 6-digit GB/T 2260 code")]
    [TestCase("keys generate --hub --out", "keys generate", "Required argument missing for option: '--out'.")]
    [TestCase("keys generate --hub --out ''", "keys generate", "--out needs a folder name.")]
    [TestCase("keys generate --hub --colour red --out {dir}/k", "keys generate", "unknown option '--colour'.")]
    [TestCase("keys generate --hub --fo --out {dir}/k", "keys generate", "unknown option '--fo'.")]
    [TestCase("keys thumbprint", "keys thumbprint", "Required argument 'file.jwk' missing for command: 'thumbprint'.")]
    [TestCase("keys thumbprint --all", "keys thumbprint", "unknown option '--all'.")]
    [TestCase("keys thumbprint ''", "keys thumbprint", "give one or more .jwk files, not an empty name.")]
    [TestCase("keys rotate", "keys rotate", "Option '--keys' is required.")]
    [TestCase("keys rotate --keys", "keys rotate", "Required argument missing for option: '--keys'.")]
    [TestCase("keys rotate --keys {dir} --keys {dir}", "keys rotate", "'--keys' expects a single argument but 2 were provided.")]
    [TestCase("keys rotate --keys {dir} now", "keys rotate", "unexpected argument 'now'.")]
    [TestCase("keys revoke --reason leaked --keys {dir}", "keys revoke", "Required argument 'kid' missing for command: 'revoke'.")]
    [TestCase("keys revoke AbCd1234 --keys {dir}", "keys revoke", "Option '--reason' is required.")]
    [TestCase("keys revoke AbCd1234 --reason leaked", "keys revoke", "Option '--keys' is required.")]
    [TestCase("keys revoke AbCd1234 EfGh5678 --reason leaked --keys {dir}", "keys revoke", "unexpected argument 'EfGh5678'.")]
    [TestCase("keys revoke AbCd1234 --reason leaked --keys {dir} --force", "keys revoke", "unknown option '--force'.")]
    [TestCase("keys revoke '' --reason leaked --keys {dir}", "keys revoke", "give one <kid>, --reason \"<text>\" and --keys <dir>, none of them empty.")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1", "trust-list sign", "Option '--out' is required.")]
    [TestCase("trust-list sign --keys {dir} --province 4100 --name Henan --seq 1 --out {dir}/tl.jws", "trust-list sign", "--province must be a 6-digit")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq -1 --out {dir}/tl.jws", "trust-list sign", "--seq must be a whole number, 0 or more, higher than the last published list's, not '-1'.")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq one --out {dir}/tl.jws", "trust-list sign", "--seq must be a whole number")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --days 0 --out {dir}/tl.jws", "trust-list sign", "--days must be between 1 and 90, not '0'.")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --days 91 --out {dir}/tl.jws", "trust-list sign", "--days must be between 1 and 90, not '91'.")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --out {dir}/tl.jws extra", "trust-list sign", "unexpected argument 'extra'.")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --out ''", "trust-list sign", "--keys, --name and --out need a value, not an empty one.")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --out {dir}/f.jws", "federation sign", "Option '--seq' is required.")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --seq 1 --days 100 --out {dir}/f.jws", "federation sign", "--days must be between 1 and 90, not '100'.")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --seq 1 --out {dir}/f.jws --out {dir}/g.jws", "federation sign", "'--out' expects a single argument but 2 were provided.")]
    [TestCase("batch sign --source 410000-CDC-002 --file {dir}/d.csv", "batch sign", "Option '--key' is required.")]
    [TestCase("batch sign --key {dir}/k.jwk --file {dir}/d.csv", "batch sign", "Option '--source' is required.")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000/CDC --file {dir}/d.csv", "batch sign", "--source must be a catalogue code of 1-64 characters [A-Za-z0-9._-], not \"410000/CDC\".")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --batch-id a/b", "batch sign", "--batch-id must be 1-64 characters [A-Za-z0-9._-], not \"a/b\".")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch sign", "file {dir}/d.csv does not exist.")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --out ''", "batch sign", "--out needs a file name.")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv extra", "batch sign", "unexpected argument 'extra'.")]
    [TestCase("batch sign --key {dir}/k.jwk --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch sign", "'--key' expects a single argument but 2 were provided.")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002", "batch upload", "Option '--file' is required.")]
    [TestCase("batch upload --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "Option '--url' is required.")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "Option '--key' is required.")]
    [TestCase("batch upload --url ftp://127.0.0.1 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "--url must be the service's http or https address")]
    [TestCase("batch upload --url 127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "--url must be the service's http or https address")]
    [TestCase("batch upload --url http://127.0.0.1:5080/?x=1 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "--url must be the service's http or https address")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --wait 0", "batch upload", "--wait must be between 1 and 86400 seconds, not '0'.")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --batch-id b --manifest {dir}/m.jws", "batch upload", "give --batch-id or --manifest, not both")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "batch upload", "file {dir}/d.csv does not exist.")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --chunked", "batch upload", "unknown option '--chunked'.")]
    [TestCase("verify", "verify", "Option '--trust' is required.")]
    [TestCase("verify HC1:/00", "verify", "Option '--trust' is required.")]
    [TestCase("verify HC1:/00 HC1:/01 --trust {dir}", "verify", "unexpected argument 'HC1:/01'.")]
    [TestCase("verify HC1:/00 --trust {dir}/none", "verify", "trust folder {dir}/none does not exist.")]
    [TestCase("verify {dir}/scan.png --trust {dir}", "verify", "file {dir}/scan.png does not exist.")]
    [TestCase("verify HC1:/00 --trust {dir} --online", "verify", "unknown option '--online'.")]
    [TestCase("verify --online --trust {dir}", "verify", "unknown option '--online'.")]
    [TestCase("verify HC1:/00 --trust {dir} --province 4100", "verify", "--province must be a 6-digit GB/T 2260 code, not \"4100\".")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --province ../../x", "load verify", "--province must be a 6-digit GB/T 2260 code, not \"../../x\".")]
    [TestCase("load verify --token t", "load verify", "Option '--url' is required.")]
    [TestCase("load verify --url https://127.0.0.1:5080 --token t", "load verify", "must be a plain http address on this machine")]
    [TestCase("load verify --url http://192.0.2.1:5080 --token t", "load verify", "must be a plain http address on this machine")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --seconds 0", "load verify", "--seconds must be between 1 and 300, not '0'.")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --warmup 61", "load verify", "--warmup must be between 0 and 60, not '61'.")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --concurrency 257", "load verify", "--concurrency must be between 1 and 256, not '257'.")]
    public async Task BadArguments_AreOneLine_WithAHint_AndExitCode2(string commandLine, string command, string reason)
    {
        using var temp = new TempFolder();
        string[] args = commandLine.Length == 0
            ? []
            : [.. commandLine.Split(' ').Select(a => a == "''" ? string.Empty : a.Replace("{dir}", temp.Path, StringComparison.Ordinal))];
        string hint = command.Length == 0 ? "Try 'healthcode --help'." : $"Try 'healthcode {command} --help'.";

        CliResult run = await Cli.RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.UsageError), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("healthcode: ").And.Contain(reason.Replace("{dir}", temp.Path, StringComparison.Ordinal)));
            Assert.That(run.Stderr, Does.EndWith($" {hint}{Environment.NewLine}"), "the hint closes the line");
            Assert.That(run.Stderr.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line, not the whole help");
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(Directory.EnumerateFileSystemEntries(temp.Path), Is.Empty, "a usage error writes nothing");
        });
    }
}
