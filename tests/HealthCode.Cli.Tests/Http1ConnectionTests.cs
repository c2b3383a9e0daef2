using System.Text;
using HealthCode.Cli.Commands;

namespace HealthCode.Cli.Tests;

/// <summary>
/// The load tool's HTTP/1.1 reader: answers by Content-Length and chunked, split across reads
/// at every size, several on one connection, and the broken ones it must refuse.
/// </summary>
[TestFixture]
public sealed class Http1ConnectionTests
{
    private const string Verdict = """{"valid":true,"color":"green"}""";

    private static readonly byte[] Request = Http1Connection.JsonPost(
        new Uri("http://127.0.0.1:5080/api/v1/verify"), "staff-token", Encoding.UTF8.GetBytes("""{"qr":"HC1:/00"}"""));

    [Test]
    public void The_request_is_a_complete_post_with_its_length()
    {
        var text = Encoding.ASCII.GetString(Request);

        Assert.That(text, Is.EqualTo(
            "POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1:5080\r\nAuthorization: Bearer staff-token\r\n" +
            "Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"qr\":\"HC1:/00\"}"));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task Reads_answers_by_length_and_chunked_one_after_another(int slice)
    {
        var chunked = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      $"{10:x}\r\n{Verdict[..10]}\r\n{Verdict.Length - 10:x};ext=1\r\n{Verdict[10..]}\r\n0\r\n\r\n";
        var sized = $"HTTP/1.1 401 Unauthorized\r\ncontent-length: {Verdict.Length}\r\n\r\n{Verdict}";
        var stream = new ScriptedStream(chunked + sized + chunked, slice);
        using var connection = new Http1Connection(stream);

        var answers = new List<Http1Answer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await connection.SendAsync(Request, CancellationToken.None));
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.EqualTo(new[] { 200, 401, 200 }));
            Assert.That(answers.Select(a => Encoding.UTF8.GetString(a.Body)), Is.All.EqualTo(Verdict));
            Assert.That(answers.Select(a => a.ServerCloses), Is.All.False);
            Assert.That(stream.Written, Is.EqualTo(Request.Length * 3), "each request is written whole");
        });
    }

    [Test]
    public async Task Says_when_the_service_closes_the_connection_after_the_answer()
    {
        using var connection = new Http1Connection(new ScriptedStream("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 64));

        var answer = await connection.SendAsync(Request, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Status, Is.EqualTo(503));
            Assert.That(answer.Body, Is.Empty);
            Assert.That(answer.ServerCloses, Is.True);
        });
    }

    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{\"valid\":true}", typeof(EndOfStreamException), TestName = "A body cut short")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Le", typeof(IOException), TestName = "A head cut short")]
    [TestCase("", typeof(IOException), TestName = "No answer at all")]
    [TestCase("SSH-2.0-OpenSSH_9.2\r\n\r\n", typeof(InvalidDataException), TestName = "Not HTTP")]
    [TestCase("HTTP/1.1 2xx OK\r\n\r\n", typeof(InvalidDataException), TestName = "A status that is not a number")]
    [TestCase("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", typeof(InvalidDataException), TestName = "A header without a colon")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", typeof(InvalidDataException), TestName = "A negative length")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", typeof(InvalidDataException), TestName = "A length over the cap")]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", typeof(InvalidDataException), TestName = "A chunk size that is not hex")]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", typeof(InvalidDataException), TestName = "A chunk longer than its size")]
    public void Refuses_a_broken_answer(string answer, Type expected)
    {
        using var connection = new Http1Connection(new ScriptedStream(answer, 5));

        Assert.That(async () => await connection.SendAsync(Request, CancellationToken.None), Throws.InstanceOf(expected));
    }

    [Test]
    public void Refuses_a_head_that_never_ends()
    {
        using var connection = new Http1Connection(new ScriptedStream("HTTP/1.1 200 OK\r\nX: " + new string('a', 40_000), 1000));

        Assert.That(async () => await connection.SendAsync(Request, CancellationToken.None), Throws.InstanceOf<InvalidDataException>());
    }

    /// <summary>A connection whose peer sends <paramref name="script"/> at most <paramref name="slice"/> bytes a read.</summary>
    private sealed class ScriptedStream(string script, int slice) : Stream
    {
        private readonly byte[] _script = Encoding.UTF8.GetBytes(script);
        private int _position;

        public long Written { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, slice), _script.Length - _position);
            _script.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(buffer.Length, slice), _script.Length - _position);
            _script.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => Written += count;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
