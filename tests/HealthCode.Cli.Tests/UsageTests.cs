namespace HealthCode.Cli.Tests;

/// <summary>Bad command lines: exit code 2 (<see cref="CommandLine.UsageError"/>), the reason and the usage text on stderr, nothing written.</summary>
public sealed class UsageTests
{
    [Test]
    public async Task Help_PrintsUsage_AndExitsZero()
    {
        CliResult run = await Cli.RunAsync("--help");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.Ok));
            Assert.That(run.Stdout, Does.StartWith("healthcode: HealthCode operator tool"));
            Assert.That(run.Stderr, Is.Empty);
        });
    }

    // Arguments are split on spaces; '' is an empty argument; {dir} is an empty temporary folder, which must stay empty.
    [TestCase("", "A command is required.")]
    [TestCase("keys", "Unknown command: keys")]
    [TestCase("keys list", "Unknown command: keys list")]
    [TestCase("keys generate", "give exactly one of --province <code>, --hub or --department <code>")]
    [TestCase("keys generate --province 410000 --hub --out {dir}/k", "give exactly one of --province <code>, --hub or --department <code>")]
    [TestCase("keys generate --department CDC --province 410000 --out {dir}/k", "give exactly one of --province <code>, --hub or --department <code>")]
    [TestCase("keys generate --department cdc --out {dir}/k", "--department must be 1-32 capital letters, digits and '-', like CDC or LAB-01, not \"cdc\"")]
    [TestCase("keys generate --department ../CDC --out {dir}/k", "--department must be 1-32 capital letters")]
    [TestCase("keys generate --department LAB- --out {dir}/k", "--department must be 1-32 capital letters")]
    [TestCase("keys generate --department CDC --department GA --out {dir}/k", "unexpected or incomplete argument \"--department\"")]
    [TestCase("keys generate --province 4100 --out {dir}/k", "--province must be a 6-digit GB/T 2260 code")]
    [TestCase("keys generate --province 41000x --out {dir}/k", "--province must be a 6-digit GB/T 2260 code")]
    [TestCase("keys generate --hub --out", "unexpected or incomplete argument \"--out\"")]
    [TestCase("keys generate --hub --hub --out {dir}/k", "unexpected or incomplete argument \"--hub\"")]
    [TestCase("keys generate --hub --colour red --out {dir}/k", "unexpected or incomplete argument \"--colour\"")]
    [TestCase("keys thumbprint", "give one or more .jwk files")]
    [TestCase("keys thumbprint --all", "give one or more .jwk files")]
    [TestCase("keys rotate", "--keys <dir> is required")]
    [TestCase("keys rotate --keys", "--keys needs a value")]
    [TestCase("keys rotate --keys {dir} --keys {dir}", "--keys is given twice")]
    [TestCase("keys rotate --keys {dir} now", "unexpected argument now")]
    [TestCase("keys revoke --reason leaked --keys {dir}", "give one <kid>, --reason")]
    [TestCase("keys revoke AbCd1234 --keys {dir}", "give one <kid>, --reason")]
    [TestCase("keys revoke AbCd1234 --reason leaked", "give one <kid>, --reason")]
    [TestCase("keys revoke AbCd1234 EfGh5678 --reason leaked --keys {dir}", "give one <kid>, --reason")]
    [TestCase("keys revoke AbCd1234 --reason leaked --keys {dir} --force", "unknown option \"--force\"")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1", "--keys, --province, --name, --seq and --out are required")]
    [TestCase("trust-list sign --keys {dir} --province 4100 --name Henan --seq 1 --out {dir}/tl.jws", "--province must be a 6-digit")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq -1 --out {dir}/tl.jws", "--seq must be a whole number")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq one --out {dir}/tl.jws", "--seq must be a whole number")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --days 0 --out {dir}/tl.jws", "--days must be between 1 and 90")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --days 91 --out {dir}/tl.jws", "--days must be between 1 and 90")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --out {dir}/tl.jws extra", "unexpected argument extra")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --out {dir}/f.jws", "--seq (a whole number) and --out are required")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --seq 1 --days 100 --out {dir}/f.jws", "--days must be between 1 and 90")]
    [TestCase("federation sign --anchor {dir} --members {dir}/m.json --seq 1 --out {dir}/f.jws --out {dir}/g.jws", "--out is given twice")]
    [TestCase("batch", "Unknown command: batch")]
    [TestCase("batch apply", "Unknown command: batch apply")]
    [TestCase("batch sign --source 410000-CDC-002 --file {dir}/d.csv", "--key, --source and --file are required")]
    [TestCase("batch sign --key {dir}/k.jwk --file {dir}/d.csv", "--source and --file are required")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000/CDC --file {dir}/d.csv", "--source must be a catalogue code of 1-64 characters [A-Za-z0-9._-], not \"410000/CDC\"")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --batch-id a/b", "--batch-id must be 1-64 characters [A-Za-z0-9._-], not \"a/b\"")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "file {dir}/d.csv does not exist")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --out ''", "--out needs a file name")]
    [TestCase("batch sign --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv extra", "unexpected argument extra")]
    [TestCase("batch sign --key {dir}/k.jwk --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "--key is given twice")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002", "--source and --file are required")]
    [TestCase("batch upload --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "--url, --token, --key, --source and --file are required")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --source 410000-CDC-002 --file {dir}/d.csv", "--url, --token, --key, --source and --file are required")]
    [TestCase("batch upload --url ftp://127.0.0.1 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "--url must be the service's http or https address")]
    [TestCase("batch upload --url 127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "--url must be the service's http or https address")]
    [TestCase("batch upload --url http://127.0.0.1:5080/?x=1 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "--url must be the service's http or https address")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --wait 0", "--wait must be between 1 and 86400 seconds")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --batch-id b --manifest {dir}/m.jws", "give --batch-id or --manifest, not both")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv", "file {dir}/d.csv does not exist")]
    [TestCase("batch upload --url http://127.0.0.1:5080 --token t --key {dir}/k.jwk --source 410000-CDC-002 --file {dir}/d.csv --chunked", "unknown option \"--chunked\"")]
    [TestCase("verify", "give the QR text (or a .png file) and --trust <folder>")]
    [TestCase("verify HC1:/00", "give the QR text (or a .png file) and --trust <folder>")]
    [TestCase("verify HC1:/00 HC1:/01 --trust {dir}", "give the QR text (or a .png file) and --trust <folder>")]
    [TestCase("verify HC1:/00 --trust {dir}/none", "trust folder {dir}/none does not exist")]
    [TestCase("verify {dir}/scan.png --trust {dir}", "file {dir}/scan.png does not exist")]
    [TestCase("verify HC1:/00 --trust {dir} --online", "unknown option \"--online\"")]
    [TestCase("verify HC1:/00 --trust {dir} --province 4100", "--province must be a 6-digit GB/T 2260 code, not \"4100\"")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --province ../../x", "--province must be a 6-digit GB/T 2260 code, not \"../../x\"")]
    [TestCase("load verify --token t", "--url and --token are required")]
    [TestCase("load verify --url https://127.0.0.1:5080 --token t", "must be a plain http address on this machine")]
    [TestCase("load verify --url http://192.0.2.1:5080 --token t", "must be a plain http address on this machine")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --seconds 0", "--seconds must be between 1 and 300")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --warmup 61", "--warmup must be between 0 and 60")]
    [TestCase("load verify --url http://127.0.0.1:5080 --token t --concurrency 257", "--concurrency must be between 1 and 256")]
    // An empty argument is a usage error, not an unhandled ArgumentException from System.IO.
    [TestCase("keys revoke '' --reason leaked --keys {dir}", "give one <kid>, --reason")]
    [TestCase("keys thumbprint ''", "give one or more .jwk files")]
    [TestCase("keys generate --hub --out ''", "unexpected or incomplete argument \"--out\"")]
    [TestCase("trust-list sign --keys {dir} --province 410000 --name Henan --seq 1 --out ''", "--keys, --province, --name, --seq and --out are required")]
    public async Task BadArguments_AreAUsageError_WithExitCode2(string commandLine, string reason)
    {
        using var temp = new TempFolder();
        string[] args = commandLine.Length == 0
            ? []
            : [.. commandLine.Split(' ').Select(a => a == "''" ? string.Empty : a.Replace("{dir}", temp.Path, StringComparison.Ordinal))];

        CliResult run = await Cli.RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(CommandLine.UsageError), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("error: ").And.Contain(reason.Replace("{dir}", temp.Path, StringComparison.Ordinal)));
            Assert.That(run.Stderr, Does.Contain(CommandLine.Usage), "the usage text follows the reason");
            Assert.That(run.Stdout, Is.Empty);
            Assert.That(Directory.EnumerateFileSystemEntries(temp.Path), Is.Empty, "a usage error writes nothing");
        });
    }
}
