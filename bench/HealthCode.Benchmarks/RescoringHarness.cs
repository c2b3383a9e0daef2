using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Features.Sharing;
using HealthCode.Api.Infrastructure.Http;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace HealthCode.Benchmarks;

/// <summary>
/// Issue 11: recording data use must not slow scoring. Re-scores N residents (<see cref="PersonRescoring"/>, the path a
/// batch takes for every person it names) twice over one SQLite file: once as the service does, recording each score's
/// uses in its transaction, and once through the same code with an empty uses list, which is the code path as it was
/// before the log (<see cref="UsesSwitch"/>: the same transaction, update and commit, the append skipped). Both passes
/// go through the same proxy, so its reflection costs each the same. The passes alternate, the order switching every
/// round, so both see the same machine; each pass is timed whole. Two cases: every code holds (the re-scoring finds the
/// same colour, reasons and dates, so without the log it writes nothing), and every code changes (a new close-contact
/// list moves every person's end date before each pass, so both variants write the code). Commits as a batch's
/// re-scoring does (<see cref="CommitSync.Deferred"/>, 32 persons a commit); <c>--sync-each --group 1</c> commits and
/// syncs every person alone, as the service did before; <c>--serial</c> writes each group's commit before scoring the
/// next, as the service did before its commits went beside the scoring; <c>--writes-ahead 1</c> lets one commit wait
/// while the next group is scored, as the service did before 2026-12-07 10:50 UTC (now <see cref="PersonRescoring.WritesAhead"/>);
/// <c>--log-file</c> (a diagnostic) writes the uses to a SQLite file of their own. Each pass prints the process's
/// processor time and how long the scoring waited for commits.
/// <code>dotnet run -c Release --project bench/HealthCode.Benchmarks -- rescoring [--persons 10000] [--rounds 3] [--data folder] [--sync-each] [--group 32] [--serial] [--writes-ahead 8] [--log-file]</code>
/// </summary>
internal static class RescoringHarness
{
    private const string Cases = "410000-CDC-002";
    private const string Lab = "410000-LAB-01-001";

    /// <summary>As a batch re-scores (<see cref="PersonRescoring.RescoreAllAsync"/>): a group's commit beside the next group's scoring.</summary>
    private static bool Pipelined = true;

    /// <summary>How many groups' commits may wait while the next is scored (<c>--writes-ahead</c>).</summary>
    private static int WritesAhead = PersonRescoring.WritesAhead;

    /// <summary>keys-sample/privacy of the repository the benchmark runs from (its output folder is below it).</summary>
    private static string SamplePrivacyKeys()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var keys = Path.Combine(folder.FullName, "keys-sample", "privacy");
            if (Directory.Exists(keys))
            {
                return keys;
            }
        }

        throw new DirectoryNotFoundException("keys-sample/privacy is not above the benchmark's folder.");
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var persons = Option(args, "--persons", 10_000);
        var rounds = Option(args, "--rounds", 3);
        var sync = args.Contains("--sync-each") ? CommitSync.Full : CommitSync.Deferred;
        var group = Option(args, "--group", 32);
        Pipelined = !args.Contains("--serial");
        WritesAhead = Option(args, "--writes-ahead", PersonRescoring.WritesAhead);
        var folder = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault()
            ?? Path.Combine(AppContext.BaseDirectory, "rescoring-data", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var file = Path.Combine(folder, "hc.db");
        var database = new SqliteDatabase($"Data Source={file}");
        var time = new FakeTimeProvider(Samples.Now);
        var personal = PersonalFields.Load(SamplePrivacyKeys());
        var store = new HealthCodeStore(database, personal);
        var facts = new FactStore(database, new OverrideStore(database, personal), personal);
        var scorer = new RiskScorer(RiskPolicy.Load(Path.Combine(AppContext.BaseDirectory, "Policy", "risk-policy.v1.json")));
        var feed = new LocalCodeStatusFeed(new CodeStatusIndex());

        var people = await SeedAsync(database, store, facts, scorer, time, persons);
        var ids = people.Select(p => p.PersonId).ToList();
        // --log-file: the uses go to a SQLite file of their own (the service's schema), each group's in a commit of
        // its own after the codes' commit, deferred as they are; a diagnostic of whether the log's writes cost the
        // scoring through the file it reads (its readers' caches start over at every commit).
        var logFile = args.Contains("--log-file") ? new SqliteDatabase($"Data Source={Path.Combine(folder, "datause.db")}") : null;
        if (logFile is not null)
        {
            await logFile.MigrateAsync(CancellationToken.None);
        }

        var logFileName = logFile is null ? file : Path.Combine(folder, "datause.db");

        var withLog = new PersonRescoring(UsesSwitch.Around(store, recordUses: true, logFile), facts, scorer, feed, time);
        var withoutLog = new PersonRescoring(UsesSwitch.Around(store, recordUses: false), facts, scorer, feed, time);
        // Not counted: the first re-scoring turns every code red (the facts arrived after the declarations).
        await PassAsync(withoutLog, ids, sync, group);
        Console.WriteLine($"seeded and warmed {persons:N0} persons in {file}; each commit of {group} re-scorings {sync}, {(Pipelined ? "written beside the next group's scoring" : "written before the next group is scored")}");

        var report = new List<string>();
        var listUntil = 10;
        foreach (var changing in new[] { false, true })
        {
            var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
            var load = new List<string> { LoadAverage() };
            for (var round = 0; round < rounds; round++)
            {
                foreach (var recording in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    if (changing)
                    {
                        // Not counted: the list moves every person's end date, so the pass re-scores a changed code (its
                        // green-after date) for every person, and writes it, with the log or without.
                        await facts.ApplyAsync(Batch(Cases, $"bench-cc-{++listUntil}", "close_contacts", time.GetUtcNow()),
                            CloseContactRows(people, time.GetUtcNow(), listUntil), time.GetUtcNow(), CancellationToken.None);
                    }

                    var before = Count(logFileName, "SELECT count(*) FROM data_use");
                    var processor = Process.GetCurrentProcess().TotalProcessorTime;
                    var (seconds, waited) = await PassAsync(recording ? withLog : withoutLog, ids, sync, group);
                    processor = Process.GetCurrentProcess().TotalProcessorTime - processor;
                    var recorded = Count(logFileName, "SELECT count(*) FROM data_use") - before;
                    times[recording].Add(seconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{(changing ? "codes change" : "codes hold  ")}, round {round + 1}, {(recording ? "with the log   " : "without the log")}: {seconds:F2} s ({1e6 * seconds / persons:F0} µs a person), {recorded:N0} uses recorded; processor time {processor.TotalSeconds:F2} s, the scoring waited {waited.TotalSeconds:F2} s for commits"));
                }

                load.Add(LoadAverage());
            }

            var with = Median(times[true]);
            var without = Median(times[false]);
            string Row(string pass, List<double> t, double median) => string.Create(CultureInfo.InvariantCulture,
                $"| {(changing ? "every code changes" : "every code holds")} | {pass} | {string.Join(", ", t.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {median:F2} s | {1e6 * median / persons:F0} µs | ");
            report.Add(Row("without the log (empty uses list)", times[false], without) + "|");
            // Each round's two passes ran next to each other in time: their ratio is what this noisy machine can say best.
            var perRound = times[true].Zip(times[false], (w, wo) => w / wo).ToList();
            report.Add(Row("with the log (2 uses a person)", times[true], with) + string.Create(CultureInfo.InvariantCulture,
                $"{with / without:F2}; per round {string.Join(", ", perRound.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}, median **{Median(perRound):F2}** |"));
            report.Add(string.Create(CultureInfo.InvariantCulture, $"<!-- load average (1, 5, 15 min) before and after each round, {(changing ? "codes change" : "codes hold")}: {string.Join(" → ", load)} -->"));
        }

        Console.WriteLine();
        Console.WriteLine("| re-scoring | pass | rounds (s) | median | per person | with / without: of the medians; of each round's passes |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        foreach (var line in report)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    /// <summary>
    /// <paramref name="count"/> residents, each with an account, a declaration and a code, then one close-contact list and
    /// one lab's tests naming all of them (two sources, so a score reads two batches and records two uses).
    /// </summary>
    private static async Task<IReadOnlyList<(string PersonId, string IdNumber)>> SeedAsync(
        SqliteDatabase database, HealthCodeStore store, FactStore facts, RiskScorer scorer, TimeProvider time, int count)
    {
        await database.MigrateAsync(CancellationToken.None);
        var now = time.GetUtcNow();
        var declaration = Samples.TypicalDeclaration();
        var assessment = scorer.Score(declaration, Samples.Today, new ResidentHistory([]), ScoringFacts.None, Samples.Today);
        var payload = JsonSerializer.Serialize(declaration, StrictJson.Options);
        var reasons = JsonSerializer.Serialize(assessment.Reasons, StrictJson.Options);
        var people = new List<(string PersonId, string IdNumber)>(count);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var idNumber = IdNumberOf(i);
            var account = await store.GetOrCreateResidentAsync($"137{i:D8}", now, CancellationToken.None);
            var saved = await store.SaveDeclarationAsync(
                new DeclarationTarget(account, null, idNumber, "张三艺", BindAsHolder: true),
                new NewDeclaration(now, Samples.Today, payload, assessment.RawColor, assessment.Color, false, reasons, assessment.GreenAfter,
                    assessment.PolicyVersion, IdNumber.MaskName("张三艺"), IdNumber.Tail(idNumber)),
                [],
                CancellationToken.None);
            people.Add((saved.PersonId!, idNumber));
        }

        Console.WriteLine($"declared {count:N0} residents in {clock.Elapsed.TotalSeconds:F1} s");
        await facts.ApplyAsync(Batch(Cases, "bench-cc-10", "close_contacts", now), CloseContactRows(people, now, 10), now, CancellationToken.None);
        await facts.ApplyAsync(Batch(Lab, "bench-lab-1", "tests", now),
            [.. people.Select((p, i) => new TestRow(i + 2, false, p.IdNumber, "张三艺", now.AddHours(-20), "negative", "郑州检测"))],
            now, CancellationToken.None);
        return people;
    }

    /// <summary>A close-contact list naming everyone, each a contact until <paramref name="days"/> after today.</summary>
    private static CloseContactRow[] CloseContactRows(IEnumerable<(string PersonId, string IdNumber)> people, DateTimeOffset now, int days) =>
        [.. people.Select((p, i) => new CloseContactRow(i + 2, false, p.IdNumber, "张三艺", now.AddHours(-2), Samples.Today.AddDays(days), "HA-BENCH"))];

    /// <summary>One pass, timed whole, and how long its scoring waited for commits (all of it with <c>--serial</c>).</summary>
    private static async Task<(double Seconds, TimeSpan Waited)> PassAsync(PersonRescoring rescoring, IReadOnlyList<string> personIds, CommitSync sync, int group)
    {
        var clock = Stopwatch.StartNew();
        if (Pipelined)
        {
            var waited = await rescoring.RescoreAllAsync(personIds, group, sync, _ => { }, CancellationToken.None, writesAhead: WritesAhead);
            return (clock.Elapsed.TotalSeconds, waited);
        }
        foreach (var persons in personIds.Chunk(group))
        {
            await rescoring.RescoreAsync(persons, sync, CancellationToken.None);
        }

        return (clock.Elapsed.TotalSeconds, clock.Elapsed);
    }

    /// <summary>A valid GB 11643-1999 number per index: region 410105, a birth date and a sequence number from the index.</summary>
    private static string IdNumberOf(int index)
    {
        var first17 = "410105" + new DateOnly(1950, 1, 1).AddDays(index / 1000).ToString("yyyyMMdd", CultureInfo.InvariantCulture)
            + (index % 1000).ToString("D3", CultureInfo.InvariantCulture);
        return first17 + IdNumber.CheckCharacter(first17);
    }

    private static BatchRecord Batch(string source, string batchId, string kind, DateTimeOffset now) =>
        new(source, batchId, "applying", kind, "text/csv", "", 0, now, "", "bench", now, null, null, 0, 0, 0, null);

    private static long Count(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Option(string[] args, string name, int byDefault) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : byDefault;
}

/// <summary>
/// The store as it is, every call passed through; with <c>recordUses: false</c> a re-scoring's uses are not recorded:
/// <see cref="IHealthCodeStore.UpdateCodesAsync"/> gets every update with an empty uses list (its transaction, its update and its commit
/// stay), which is what the store did before the log. Used by the benchmark only, for both variants alike. A proxy
/// rather than a class, so the comparison keeps building whatever the store interface gains.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852:Seal internal types", Justification = "DispatchProxy.Create derives the proxy's type from it.")]
internal class UsesSwitch : DispatchProxy
{
    private IHealthCodeStore inner = null!;
    private bool recordUses;

    private SqliteDatabase? logFile;

    public static IHealthCodeStore Around(IHealthCodeStore store, bool recordUses, SqliteDatabase? logFile = null)
    {
        var proxy = Create<IHealthCodeStore, UsesSwitch>();
        var self = (UsesSwitch)(object)proxy;
        self.inner = store;
        self.recordUses = recordUses;
        self.logFile = logFile;
        return proxy;
    }

    /// <summary>The codes' commit, then the uses' in the log's own file, deferred as the codes' are (<c>--log-file</c>).</summary>
    private static async Task<IReadOnlyList<CodeRecord?>> ThenLogAsync(Task<IReadOnlyList<CodeRecord?>> codes, SqliteDatabase log, IReadOnlyList<DataUse> uses, DateTimeOffset at)
    {
        var result = await codes;
        await using var connection = await log.OpenAsync(CancellationToken.None);
        await using var deferred = await DeferredSync.BeginAsync(connection, withoutAutoCheckpoint: false, CancellationToken.None);
        using var turn = await log.TakeWriteTurnAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await DataUseStore.AppendAsync(connection, transaction, log.Dialect, uses, at, CancellationToken.None);
        await transaction.CommitAsync();
        return result;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!recordUses && targetMethod.Name == nameof(IHealthCodeStore.UpdateCodesAsync) && args is [IReadOnlyList<CodeUpdate> updates, ..])
        {
            args[0] = updates.Select(u => u with { Uses = [] }).ToList();
        }

        if (recordUses && logFile is not null && targetMethod.Name == nameof(IHealthCodeStore.UpdateCodesAsync) && args is [IReadOnlyList<CodeUpdate> all, ..])
        {
            args[0] = all.Select(u => u with { Uses = [] }).ToList();
            return ThenLogAsync((Task<IReadOnlyList<CodeRecord?>>)targetMethod.Invoke(inner, args)!, logFile, [.. all.SelectMany(u => u.Uses)], all.Count == 0 ? default : all[^1].At);
        }

        return targetMethod.Invoke(inner, args);
    }
}
