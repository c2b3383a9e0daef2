using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace HealthCode.BatchBench;

/// <summary>
/// <c>watch --url U --token T --source S --batch-id B --pid P [--seconds S]</c>: follows one batch from before its
/// upload to applied or rejected, polling its status every 100 ms, and samples the service's memory from
/// <c>/proc/P/status</c> at the same pace: VmRSS (resident now) and VmHWM (the peak since the process started).
/// Prints a line at each change of state or phase, one a second with the memory, and a summary: how long each
/// phase was seen, the service's own times (receivedAt to finishedAt), the peak and the memory before the upload.
/// </summary>
internal static class Watch
{
    public static async Task<int> Run(Args args)
    {
        var url = new Uri(args.Text("--url"));
        var source = args.Text("--source");
        var batchId = args.Text("--batch-id");
        var pid = args.Int("--pid", 1, int.MaxValue);
        var seconds = args.Int("--seconds", 1, 7200, 3600);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args.Text("--token"));

        var (rssBefore, hwmBefore) = Memory(pid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"before the upload: VmRSS {rssBefore / 1024.0:F1} MiB, VmHWM {hwmBefore / 1024.0:F1} MiB"));
        var clock = Stopwatch.StartNew();
        var seen = new List<(string Phase, double At)>();
        long peakRss = 0;
        var lastPrint = -1.0;
        JsonObject? last = null;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var (rss, hwm) = Memory(pid);
            peakRss = Math.Max(peakRss, rss);
            last = await StatusAsync(http, source, batchId);
            var phase = last is null ? "not yet" : $"{last["status"]}{(last["phase"] is { } p ? "/" + p : "")}";
            var at = clock.Elapsed.TotalSeconds;
            if (seen.Count == 0 || seen[^1].Phase != phase || at - lastPrint >= 1)
            {
                if (seen.Count == 0 || seen[^1].Phase != phase)
                {
                    seen.Add((phase, at));
                }

                lastPrint = at;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"t={at,7:F1}s {phase,-20} read={last?["rowsRead"]} applied={last?["applied"]} rescored={last?["rescored"]} VmRSS={rss / 1024.0:F1}MiB VmHWM={hwm / 1024.0:F1}MiB"));
            }

            if (last?["status"]?.GetValue<string>() is "applied" or "rejected")
            {
                break;
            }

            await Task.Delay(100);
        }

        var (_, peak) = Memory(pid);
        Console.WriteLine("phases as seen (polled every 100 ms):");
        for (var i = 0; i < seen.Count; i++)
        {
            var end = i + 1 < seen.Count ? seen[i + 1].At : seen[i].At;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {seen[i].Phase,-20} {end - seen[i].At,8:F1} s"));
        }

        if (last is not null && last["finishedAt"] is { } finished)
        {
            var taken = DateTimeOffset.Parse(finished.GetValue<string>(), CultureInfo.InvariantCulture) - DateTimeOffset.Parse(last["receivedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"service: receivedAt {last["receivedAt"]} finishedAt {finished}: {taken.TotalSeconds:F2} s from the upload's start to {last["status"]}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: VmHWM {hwmBefore / 1024.0:F1} MiB before, {peak / 1024.0:F1} MiB after (+{(peak - hwmBefore) / 1024.0:F1}); highest VmRSS sampled {peakRss / 1024.0:F1} MiB"));
        Console.WriteLine("final: " + last?.ToJsonString());
        return last?["status"]?.GetValue<string>() == "applied" ? 0 : 1;
    }

    private static async Task<JsonObject?> StatusAsync(HttpClient http, string source, string batchId)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"/api/v1/sources/{source}/batches/{batchId}", UriKind.Relative));
            return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>VmRSS and VmHWM of the process, in KiB.</summary>
    private static (long Rss, long Hwm) Memory(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kib(line);
            }
        }

        return (rss, hwm);
    }

    private static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
