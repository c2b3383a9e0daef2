using System.Text;
using System.Text.Json.Nodes;

namespace HealthCode.Api.Tests.Fuzz;

/// <summary>
/// Turns (seed, index) into one request: an endpoint, a role, a path with route values, a query string,
/// headers and a body, each valid, mutated or random. Case <c>i</c> depends on the seed and <c>i</c> only,
/// never on earlier answers, so any case can be generated again on its own.
/// </summary>
internal sealed class FuzzGenerator(IReadOnlyList<FuzzEndpoint> endpoints, FuzzInputs inputs)
{
    /// <summary>
    /// Endpoints picked less often than the others. Each key rotation adds a key that every later rotation loads
    /// and every later trust list signs, so rotations grow dearer through the run; a tenth of the share still
    /// rotates dozens of times.
    /// </summary>
    private static readonly Dictionary<string, double> Weights = new(StringComparer.Ordinal) { ["POST /api/v1/admin/keys/rotate"] = 0.1 };

    private readonly double[] cumulative = [.. endpoints.Select(e => Weights.GetValueOrDefault(e.Name, 1.0)).Aggregate(
        new List<double>(), (sums, weight) => { sums.Add((sums.Count == 0 ? 0 : sums[^1]) + weight); return sums; })];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    /// <summary>Route values that are not what the route expects, already percent-encoded (some wrongly on purpose).</summary>
    private static readonly string[] NastyRouteValues =
    [
        "%FF", "%C0%80", "%ED%A0%80", "%F4%90%80%80", "%E5%BC", "a%FFb", "%", "%z", "%zz", "%%", "%2F", "%2e%2e", "..", ".",
        "%00", "%E5%BC%A0%E4%B8%89", "%20", "+", "-1", "0", "99999999999999999999999", "null", "%5C", "~", "'", "%22",
        "%3Cscript%3E", "*", "%0D%0A", "%F0%9F%98%80", "st_", "410000", "000000",
    ];

    /// <summary>Query values: dates near and far, numbers too big for any type, bad percent-encoding, invalid UTF-8.</summary>
    private static readonly string[] NastyQueryValues =
    [
        "", "notadate", "9999-12-31", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59%2B14:00", "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00%2B14:00", "10000-01-01", "2020-02-30", "2026-11-28T10:00:00%2B15:00",
        "-1", "1e400", "99999999999999999999999", "%FF", "%C0%80", "%ED%A0%80", "%zz", "%", "%00", "png", "svg", "text",
        "PNG", "gif", "%E5%BC%A0", "true", "null", "2026-11-27", "2026-11-27T00:00:00Z",
    ];

    private static readonly string[] QueryNames = ["format", "from", "to", "limit", "page", "color", "x", "%FF", "", "a[b]"];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/json; charset=\"",
        "application/*", "*/*", "application/json, text/plain", "", "application/problem+json", "application/merge-patch+json",
        "APPLICATION/JSON", "application/json;;;", "multipart/form-data; boundary=x", "application/jose", "application/json; charset=latin1",
        "text/json", "application/json; charset=utf-8",
    ];

    /// <summary>Numbers past every range and precision a member may hold.</summary>
    private static readonly string[] NastyNumbers =
    [
        "0", "-1", "1e400", "-1e400", "1e-400", "79228162514264337593543950336", "-79228162514264337593543950336",
        "0.00000000000000000000000000000001", "123456789012345678901234567890", "9007199254740993", "2147483648", "-0", "1E2", "36.5",
    ];

    /// <summary>Calendar dates past the calendar, in the far future, or not dates at all.</summary>
    private static readonly string[] NastyDates =
    [
        "\"9999-12-31\"", "\"0001-01-01\"", "\"10000-01-01\"", "\"2020-02-30\"", "\"-0001-01-01\"", "\"2026-13-01\"", "\"2026-11-28T10:00:00Z\"",
    ];

    /// <summary>Instants whose offset pushes them past DateTimeOffset's range, or past the calendar, or out of the offsets allowed.</summary>
    private static readonly string[] NastyInstants =
    [
        "\"9999-12-31T23:59:59Z\"", "\"9999-12-31T23:59:59+14:00\"", "\"9999-12-31T23:59:59-14:00\"", "\"9999-12-31T20:00:00+00:00\"",
        "\"0001-01-01T00:00:00+14:00\"", "\"0001-01-01T00:00:00-14:00\"", "\"0001-01-01T00:00:00Z\"", "\"2026-11-28T10:00:00+15:00\"",
        "\"2026-11-28T25:00:00Z\"", "\"2026-11-28T10:00:00.99999999999Z\"", "\"2026-11-28\"",
    ];

    /// <summary>Raw JSON that a member may not hold: the above, odd strings, other kinds.</summary>
    private static readonly string[] NastyJson =
    [
        .. NastyNumbers, .. NastyDates, .. NastyInstants, "null", "true", "false",
        "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u202e\"", "\"<script>alert(1)</script>\"", "\"' OR 1=1 --\"",
        "\"../../etc/passwd\"", "\"36.5\"", "\"true\"", "\"negative\"", "\"positive\"", "\"fever\"", "\"410100\"", "\"11010519491231002X\"",
        "[]", "{}", "[null]", "[1,2,3]", "{\"a\":1}", "[[[[[[[[]]]]]]]]", "\"\\n\\t\\r\"", "\"\\\"\"", "\"\\\\\"",
    ];

    /// <summary>Byte sequences that are not UTF-8: a lone FF, an overlong NUL, a surrogate, past U+10FFFF, cut-off sequences.</summary>
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0xC0, 0x80], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xC3, 0x28], [0xEF, 0xBB, 0xBF], [0x00],
    ];

    public FuzzCase Generate(int seed, int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var endpoint = endpoints[PickEndpoint(random)];
        var method = random.Next(12) == 0 ? Pick(random, Methods) : endpoint.Method;
        var role = random.Next(10) < 7 ? endpoint.Role : (FuzzRole)random.Next(4);
        var target = Path(random, endpoint) + Query(random, endpoint);
        var headers = new List<FuzzHeader>();
        var (body, contentType, chunked) = Body(random, endpoint, method);
        if (contentType is not null)
        {
            headers.Add(contentType);
        }

        if (random.Next(7) == 0)
        {
            headers.Add(Header(random));
        }

        return new FuzzCase(index, endpoint.Name, method, target, role, headers, body, chunked);
    }

    private int PickEndpoint(Random random)
    {
        var at = random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, at);
        return Math.Min(index < 0 ? ~index : index + 1, endpoints.Count - 1);
    }

    // ---- paths and query strings ------------------------------------------------------------

    private string Path(Random random, FuzzEndpoint endpoint)
    {
        var path = endpoint.Fill(name => random.Next(4) > 0 && inputs.RouteValues.TryGetValue(name, out var known)
            ? Pick(random, known)
            : NastyRouteValue(random));
        return random.Next(6) == 0 ? MutatePath(random, path) : path;
    }

    private static string NastyRouteValue(Random random) => random.Next(5) switch
    {
        0 => new string('a', random.Next(200, 3000)),
        1 => RandomAscii(random, random.Next(1, 40)),
        _ => Pick(random, NastyRouteValues),
    };

    private static string MutatePath(Random random, string path) => random.Next(9) switch
    {
        0 => path + "/",
        1 => path + "/" + Pick(random, NastyRouteValues),
        2 => path.Replace("/", "//", StringComparison.Ordinal),
        3 => path.ToUpperInvariant(),
        4 => path[..random.Next(1, path.Length + 1)],
        5 => path + "/../" + Pick(random, NastyRouteValues),
        6 => path.Insert(random.Next(1, path.Length + 1), Pick(random, NastyRouteValues)),
        7 => "/" + RandomAscii(random, random.Next(1, 60)),
        _ => path + "%FF",
    };

    private string Query(Random random, FuzzEndpoint endpoint)
    {
        switch (random.Next(10))
        {
            case < 4:
                return "";
            case 4:
                return Pick(random, ["?", "?&&&", "?=", "?%", "?a=%FF", "?format=png&format=svg", "?%FF=1", "?x=" + new string('9', random.Next(100, 9000))]);
        }

        var query = new StringBuilder();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var parameter = endpoint.Query.Count > 0 && random.Next(4) > 0 ? Pick(random, endpoint.Query).Name : Pick(random, QueryNames);
            var value = random.Next(3) == 0 && inputs.QueryValues.TryGetValue(parameter, out var known)
                ? Uri.EscapeDataString(Pick(random, known))
                : Pick(random, NastyQueryValues);
            query.Append(query.Length == 0 ? '?' : '&').Append(parameter).Append('=').Append(value);
        }

        return query.ToString();
    }

    // ---- headers ----------------------------------------------------------------------------

    private static FuzzHeader Header(Random random)
    {
        var junk = RandomBytes(random, random.Next(1, 40), printable: true);
        return random.Next(8) switch
        {
            0 => new("Authorization", Concat("Bearer "u8, junk)),
            1 => new("Authorization", Concat("Bearer "u8, Pick(random, InvalidUtf8), "abc"u8)),
            2 => FuzzHeader.Text("Authorization", Pick(random, ["Basic YWJjOmRlZg==", "Bearer", "Bearer ", "bearer  x", "Bearer 张三", "Bearer " + new string('a', 300)])),
            3 => FuzzHeader.Text("If-None-Match", Pick(random, ["*", "\"abc\"", "W/\"x\"", "\"", ",,,", new string('"', 500)])),
            4 => new("If-None-Match", Concat("\""u8, Pick(random, InvalidUtf8), "\""u8)),
            5 => FuzzHeader.Text("Accept", Pick(random, ["text/html", "text/html,application/xhtml+xml", "application/xml", "*/*", "image/png", "x"])),
            6 => new("Accept-Language", Concat("zh-CN;q="u8, junk)),
            _ => FuzzHeader.Text("X-Forwarded-Proto", "https"),
        };
    }

    // ---- bodies -----------------------------------------------------------------------------

    private (byte[]? Body, FuzzHeader? ContentType, bool Chunked) Body(Random random, FuzzEndpoint endpoint, string method)
    {
        var json = endpoint.BodyType is not null && endpoint.BodyType != typeof(string);
        var declared = endpoint.BodyContentType ?? "application/json";
        if (endpoint.BodyType is null && random.Next(6) > 0)
        {
            return (null, null, false);
        }

        var chunked = random.Next(8) == 0;
        var roll = random.Next(100);
        if (roll < 4)
        {
            // Past the cap: chunked (no Content-Length to refuse it by) or announced.
            var size = inputs.BodyCap + random.Next(1, inputs.BodyCap);
            return (OversizedJson(size), FuzzHeader.Text("Content-Type", declared), roll < 3);
        }

        if (roll < 10)
        {
            return (Encoding.UTF8.GetBytes(Pick(random, NastyJson)), FuzzHeader.Text("Content-Type", Pick(random, ContentTypes)), chunked);
        }

        var example = json ? Example(endpoint) : Encoding.UTF8.GetBytes(inputs.JoseExample);
        byte[] body = roll switch
        {
            < 16 => example,
            < 50 when json => Encoding.UTF8.GetBytes(MutateJson(random, JsonNode.Parse(example)!)),
            < 58 when json => DuplicateOrRecaseMember(random, example),
            < 58 => MutateBytes(random, example),
            < 62 => RandomJson(random, endpoint),
            < 65 => RandomBytes(random, random.Next(0, 300), printable: false),
            < 68 => Nested(random),
            < 71 => Encoding.UTF8.GetBytes(Pick(random, ["", " ", "null", "[]", "0", "\"x\"", "{", "}", "{}", "\uFEFF{}"])),
            _ => MutateBytes(random, example),
        };
        var contentType = random.Next(10) == 0
            ? new FuzzHeader("Content-Type", random.Next(4) == 0 ? Concat("application/json; charset="u8, Pick(random, InvalidUtf8)) : Encoding.UTF8.GetBytes(Pick(random, ContentTypes)))
            : FuzzHeader.Text("Content-Type", declared);
        return (body, contentType, chunked);
    }

    private byte[] Example(FuzzEndpoint endpoint) => Encoding.UTF8.GetBytes(inputs.Example(endpoint.BodyType!)?.ToJsonString() ?? "{}");

    private static byte[] OversizedJson(int size) =>
        Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', size) + "\"}");

    /// <summary>
    /// One to three changes to the tree: a value swapped for another type or an extreme, a member removed, added or
    /// repeated. Replacements go in as raw JSON text (a tree cannot hold 1e400, a lone surrogate or 70 levels).
    /// </summary>
    private string MutateJson(Random random, JsonNode root)
    {
        var raws = new List<string>();
        JsonNode Raw(string text)
        {
            raws.Add(text);
            return JsonValue.Create(RawMarker(raws.Count - 1));
        }

        for (var changes = random.Next(1, 4); changes > 0; changes--)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var node = Pick(random, nodes);
            var replacement = random.Next(6) switch
            {
                0 => Raw(new string('[', 70) + new string(']', 70)),
                1 => JsonValue.Create(random.Next(2) == 0 ? new string('张', random.Next(1, inputs.BodyCap / 4)) : RandomAscii(random, random.Next(1, 300))),
                2 or 3 when Family(node) is { } family => Raw(Pick(random, family)),
                _ => Raw(Pick(random, NastyJson)),
            };
            switch (node.Parent)
            {
                case null when node is JsonObject rootObject:
                    rootObject[Pick(random, ["unknown", "isAdmin", "Phone", "$type", ""])] = replacement;
                    break;
                case JsonObject parent when random.Next(5) == 0:
                    parent.Remove(node.GetPropertyName());
                    break;
                case JsonObject parent:
                    parent[node.GetPropertyName()] = replacement;
                    break;
                case JsonArray array when random.Next(5) == 0:
                    for (var i = random.Next(1, 30); i > 0; i--)
                    {
                        array.Add(node.DeepClone());
                    }

                    break;
                case JsonArray array:
                    array[node.GetElementIndex()] = replacement;
                    break;
            }
        }

        var text = new StringBuilder(root.ToJsonString());
        for (var i = 0; i < raws.Count; i++)
        {
            text.Replace($"\"{RawMarker(i)}\"", raws[i]);
        }

        return text.ToString();
    }

    /// <summary>The extremes of the value's own kind: a date gets far dates, an instant far instants, a number huge ones.</summary>
    private static string[]? Family(JsonNode node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) && text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _) => NastyInstants,
        JsonValue value when value.TryGetValue<string>(out var text)
            && DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _) => NastyDates,
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => NastyNumbers,
        _ => null,
    };

    private static string RawMarker(int index) => $"@@raw{index}@@";

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    Collect(child, nodes);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    Collect(child, nodes);
                }

                break;
        }
    }

    /// <summary>The first member again (textually, as a JSON tree cannot hold it twice), or a member name in another case.</summary>
    private static byte[] DuplicateOrRecaseMember(Random random, byte[] example)
    {
        var text = Encoding.UTF8.GetString(example);
        if (text.Length < 3 || text[0] != '{' || JsonNode.Parse(text) is not JsonObject { Count: > 0 } obj)
        {
            return example;
        }

        var (name, value) = obj.ElementAt(random.Next(obj.Count));
        var member = $"\"{name}\":{value?.ToJsonString() ?? "null"}";
        return Encoding.UTF8.GetBytes(random.Next(3) switch
        {
            0 => "{" + member + "," + text[1..],
            1 => text[..^1] + "," + member + "}",
            _ => text.Replace($"\"{name}\":", $"\"{name.ToUpperInvariant()}\":", StringComparison.Ordinal),
        });
    }

    private static byte[] RandomJson(Random random, FuzzEndpoint endpoint)
    {
        var text = new StringBuilder();
        RandomValue(random, endpoint.MemberNames(), 0, text);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A random JSON value as text, objects using the endpoint's member names as often as not.</summary>
    private static void RandomValue(Random random, IReadOnlyList<string> names, int depth, StringBuilder text)
    {
        switch (random.Next(depth > 3 ? 3 : 5))
        {
            case 0:
                text.Append(Pick(random, NastyJson));
                break;
            case 1:
                text.Append('"').Append(RandomAscii(random, random.Next(0, 20))).Append('"');
                break;
            case 2:
                text.Append((random.NextDouble() * Math.Pow(10, random.Next(-5, 30))).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case 3:
                text.Append('[');
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    RandomValue(random, names, depth + 1, text);
                    text.Append(i > 1 ? "," : "");
                }

                text.Append(']');
                break;
            default:
                text.Append('{');
                for (var i = random.Next(0, 5); i > 0; i--)
                {
                    var name = names.Count > 0 && random.Next(3) > 0 ? Pick(random, names) : RandomAscii(random, random.Next(1, 8));
                    text.Append('"').Append(name).Append("\":");
                    RandomValue(random, names, depth + 1, text);
                    text.Append(i > 1 ? "," : "");
                }

                text.Append('}');
                break;
        }
    }

    /// <summary>Nesting deeper than any parser's default limit, still inside the body cap; sometimes unclosed.</summary>
    private byte[] Nested(Random random)
    {
        var depth = random.Next(2) == 0 ? random.Next(60, 200) : random.Next(1000, (inputs.BodyCap / 2) - 10);
        var closed = random.Next(4) > 0;
        var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var text = new StringBuilder();
        for (var i = 0; i < depth && text.Length + (2 * open.Length) < inputs.BodyCap - 10; i++)
        {
            text.Append(open);
        }

        var opened = text.Length / open.Length;
        text.Append('1');
        if (closed)
        {
            text.Insert(text.Length, close, opened);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Byte-level damage: cut short, bytes that are not UTF-8 (often inside a string), bytes flipped, a slice removed or repeated.</summary>
    private static byte[] MutateBytes(Random random, byte[] body)
    {
        var bytes = new List<byte>(body);
        switch (random.Next(6))
        {
            case 0:
                return bytes.Count == 0 ? [] : [.. bytes.Take(random.Next(bytes.Count))];
            case 1:
            case 2:
                var quote = bytes.IndexOf((byte)'"', random.Next(bytes.Count + 1));
                var at = quote >= 0 && random.Next(3) > 0 ? quote + 1 : random.Next(bytes.Count + 1);
                bytes.InsertRange(at, Pick(random, InvalidUtf8));
                break;
            case 3:
                for (var i = random.Next(1, 4); i > 0 && bytes.Count > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 4 when bytes.Count > 0:
                var start = random.Next(bytes.Count);
                bytes.RemoveRange(start, random.Next(1, bytes.Count - start + 1));
                break;
            default:
                if (bytes.Count > 0)
                {
                    var from = random.Next(bytes.Count);
                    var slice = bytes.GetRange(from, random.Next(1, Math.Min(64, bytes.Count - from) + 1));
                    bytes.InsertRange(random.Next(bytes.Count + 1), slice);
                }

                break;
        }

        return [.. bytes];
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string RandomAscii(Random random, int length)
    {
        const string Alphabet = "abcXYZ0129-_.~!$&'()*+,;=:@%/";
        var text = new char[length];
        for (var i = 0; i < length; i++)
        {
            text[i] = Alphabet[random.Next(Alphabet.Length)];
        }

        return new string(text);
    }

    private static byte[] RandomBytes(Random random, int length, bool printable)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            // Header values never carry CR, LF or NUL (the client refuses them); bodies may carry anything.
            bytes[i] = printable ? (byte)random.Next(0x20, 0x100) : (byte)random.Next(0x100);
        }

        return bytes;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b) => [.. a, .. b];

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b, ReadOnlySpan<byte> c) => [.. a, .. b, .. c];
}
