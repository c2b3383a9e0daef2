using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthCode.BatchBench;

/// <summary>
/// <c>residents --url U --count N [--concurrency C] [--seconds S]</c>: persons 0 to N-1 log in with a one-time code
/// and declare (green: nothing to report) through the public API, C at a time, so that a batch naming them has codes
/// to re-score. Stops at the first refusal, or when S seconds have passed.
/// </summary>
internal static class Residents
{
    public static async Task<int> Run(Args args)
    {
        var url = new Uri(args.Text("--url"));
        var count = args.Int("--count", 1, 1_000_000);
        var concurrency = args.Int("--concurrency", 1, 64, 8);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(args.Int("--seconds", 1, 3600, 900)));
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await DeclareAsync(http, i, deadline.Token);
            }
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"residents: {count:N0} declared in {clock.Elapsed.TotalSeconds:F1} s ({count / clock.Elapsed.TotalSeconds:N0}/s, {concurrency} at a time)"));
        return 0;
    }

    private static async Task DeclareAsync(HttpClient http, int index, CancellationToken cancellationToken)
    {
        var phone = People.Phone(index);
        var otp = await PostAsync(http, "/api/v1/auth/otp", new { phone }, null, cancellationToken);
        var login = await PostAsync(http, "/api/v1/auth/login", new { phone, code = otp["devCode"]!.GetValue<string>() }, null, cancellationToken);
        var declaration = new
        {
            name = People.Name(index),
            idNumber = People.IdNumber(index),
            phone,
            region = "410102",
            travel = Array.Empty<object>(),
            symptoms = Array.Empty<string>(),
            temperature = 36.6m,
            contact = new { confirmedCase = false, suspectedCase = false, closeContactNotice = false },
        };
        await PostAsync(http, "/api/v1/declarations", declaration, login["token"]!.GetValue<string>(), cancellationToken);
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, object body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode && JsonNode.Parse(text) is JsonObject answer
            ? answer
            : throw new HttpRequestException($"POST {path} answered {(int)response.StatusCode}: {text}");
    }
}
