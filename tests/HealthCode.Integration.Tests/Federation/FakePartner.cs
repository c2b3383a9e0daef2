using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthCode.Trust;
using HealthCode.Trust.Keys;
using HealthCode.Trust.Tokens;
using HealthCode.Trust.TrustLists;
using HealthCode.Trust.Verification;

namespace HealthCode.Integration.Federation;

/// <summary>
/// A partner province that the test controls, on a raw TCP listener in the test process (so it can
/// also hang or answer bytes that are not HTTP): it has its own root and issuer keys, signs its own
/// trust lists and codes with HealthCode.Trust, and serves whatever list the test chose.
/// </summary>
internal sealed class FakePartner : IAsyncDisposable
{
    private const int MaxHeaderBytes = 16 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private volatile Behaviour _behaviour = Behaviour.NotFound;
    private volatile string _listJws = "";
    private volatile string _statusAnswer = "";
    private volatile TaskCompletionSource _listGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _listRequests;
    private int _statusRequests;

    public FakePartner(string issuer, string name)
    {
        Issuer = issuer;
        Name = name;
        _listGate.SetResult();
        _listener.Start();
        TrustListUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/.well-known/healthcode/trust-list");
        _acceptLoop = AcceptLoopAsync();
    }

    private enum Behaviour
    {
        NotFound,
        ServeList,
        ServeListHangStatus,
        ServeListAnswerStatus,
        Hang,
        Garbage,
    }

    public string Issuer { get; }

    public string Name { get; }

    public Uri TrustListUrl { get; }

    /// <summary>This partner's root key (private): what it signs its lists with.</summary>
    public EcKey Root { get; } = EcKey.Generate();

    /// <summary>How many requests for the trust list reached this partner.</summary>
    public int ListRequests => Volatile.Read(ref _listRequests);

    /// <summary>How many online status requests (<c>POST /api/v1/partner/status</c>) reached this partner.</summary>
    public int StatusRequests => Volatile.Read(ref _statusRequests);

    /// <summary>What a province registers for this partner: <c>{iss, name, trustListUrl, rootKey}</c> with the public root.</summary>
    public object Registration() => new { iss = Issuer, name = Name, trustListUrl = TrustListUrl.ToString(), rootKey = JsonNode.Parse(Root.ToPublicJwk()) };

    /// <summary>From now on, answers the trust-list URL with <paramref name="jws"/> (200, application/jose).</summary>
    public void Serve(string jws)
    {
        _listJws = jws;
        _behaviour = Behaviour.ServeList;
    }

    /// <summary>
    /// From now on, answers the trust-list URL with <paramref name="jws"/>, but reads every other
    /// request (a status check) and never answers it: a partner whose list is cached fine and whose
    /// status service hangs.
    /// </summary>
    public void ServeAndHangStatusChecks(string jws)
    {
        _listJws = jws;
        _behaviour = Behaviour.ServeListHangStatus;
    }

    /// <summary>
    /// From now on, answers the trust-list URL with <paramref name="jws"/> and every other request
    /// (a status check) at once with 200 and <paramref name="answer"/> as JSON, whatever it holds.
    /// </summary>
    public void ServeAndAnswerStatusChecks(string jws, string answer)
    {
        _listJws = jws;
        _statusAnswer = answer;
        _behaviour = Behaviour.ServeListAnswerStatus;
    }

    /// <summary>From now on, trust-list requests are read and held, unanswered, until <see cref="ReleaseLists"/>.</summary>
    public void HoldLists() => _listGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers the held trust-list requests (with the list served then) and stops holding new ones.</summary>
    public void ReleaseLists() => _listGate.TrySetResult();

    /// <summary>From now on, accepts connections and reads the request, but never answers.</summary>
    public void Hang() => _behaviour = Behaviour.Hang;

    /// <summary>From now on, answers every request with bytes that are not HTTP, then closes.</summary>
    public void AnswerGarbage() => _behaviour = Behaviour.Garbage;

    /// <summary>A trust list of this partner (iss, name), signed by <paramref name="root"/> (its own root when null), valid for a day.</summary>
    public string SignList(long seq, IEnumerable<(EcKey Key, KeyStatus Status)> keys, EcKey? root = null)
    {
        var now = DateTimeOffset.UtcNow;
        var list = new TrustList(Issuer, Name, seq, now, now.AddDays(1), [.. keys.Select(k => new TrustListKey(k.Key, k.Status, null, null))]);
        return TrustListCodec.Sign(list, root ?? Root);
    }

    /// <summary>A green code of this partner signed with <paramref name="issuerKey"/>, valid for 10 minutes: the QR text.</summary>
    public string SignCode(EcKey issuerKey, string? codeId = null)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new HealthCodeClaims(
            Issuer, codeId ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(8)), now, now.AddMinutes(10), CodeColor.Green, "李*", "123X", 0);
        return new HealthCodeSigner(issuerKey).SignQr(claims);
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _ = Task.Run(() => HandleAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (ObjectDisposedException)
        {
            // Disposed.
        }
        catch (SocketException)
        {
            // Listener stopped.
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var requestLine = await ReadRequestAsync(stream);
                var isList = requestLine.StartsWith("GET /.well-known/healthcode/trust-list", StringComparison.Ordinal);
                if (isList)
                {
                    Interlocked.Increment(ref _listRequests);
                }
                else if (requestLine.StartsWith("POST /api/v1/partner/status", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _statusRequests);
                }

                switch (_behaviour)
                {
                    case Behaviour.Hang:
                    case Behaviour.ServeListHangStatus when !isList:
                        // Holds the connection open until the test ends; the client's timeout must end it.
                        await Task.Delay(Timeout.Infinite, _stopping.Token);
                        break;
                    case Behaviour.Garbage:
                        await stream.WriteAsync("\u0000\u0001 this is not HTTP {]\r\n\r\n"u8.ToArray(), _stopping.Token);
                        break;
                    case Behaviour.ServeListAnswerStatus when !isList:
                        await WriteAsync(stream, "200 OK", "application/json", _statusAnswer);
                        break;
                    case Behaviour.ServeList or Behaviour.ServeListHangStatus or Behaviour.ServeListAnswerStatus when isList:
                        await _listGate.Task.WaitAsync(_stopping.Token);
                        await WriteAsync(stream, "200 OK", "application/jose", _listJws);
                        break;
                    default:
                        await WriteAsync(stream, "404 Not Found", "text/plain", "not here");
                        break;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the test ended.
            }
        }
    }

    /// <summary>Reads the request head (and the body, by Content-Length), returning the request line.</summary>
    private async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < MaxHeaderBytes)
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString([.. head]);
        var lines = text.Split("\r\n");
        var length = lines
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var body = new byte[Math.Min(length, 64 * 1024)];
        var read = 0;
        while (read < body.Length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read), timeout.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return lines[0];
    }

    private async Task WriteAsync(NetworkStream stream, string status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stopping.Token);
        await stream.WriteAsync(bytes, _stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Nothing more to wait for.
        }

        _listener.Dispose();
        _stopping.Dispose();
        Root.Dispose();
    }
}
