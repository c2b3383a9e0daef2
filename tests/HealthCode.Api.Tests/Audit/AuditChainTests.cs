using HealthCode.Api.Infrastructure.Audit;

namespace HealthCode.Api.Tests.Audit;

/// <summary>
/// The chain hash with the operator's fields (DESIGN §10 "Named operators"): an entry without them hashes as entries did
/// before they existed, so chains already written still verify beside the new entries, and each of them is covered.
/// </summary>
[TestFixture]
internal sealed class AuditChainTests
{
    private static readonly AuditEvent Scan = new(
        new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero), "metro-line1-gate3", "st_abc", "verify", "410000", "c_123", "valid_green");

    private static readonly AuditEvent OperatorAction = new(Scan.At.AddMinutes(1), "operators", "op_1", "CreateStaff", null, null, "201")
    {
        Actor = new AuditActor("op_1", "李管理"),
        Target = "st_new",
    };

    [Test]
    public void AnEntryWithoutActorOrTarget_HashesAsBeforeTheyExisted()
    {
        // Computed by the chain as it was before issue 10 (commit 980f0f2), and matched against entries it wrote.
        Assert.That(AuditChain.Hash(1, Scan, AuditChain.Genesis), Is.EqualTo("9151dca75a60175bf9d9de07a1254fa6a7781a03c53e939e3c8daaf4255499f5"));
    }

    [Test]
    public void OldAndNewEntries_VerifyTogether()
    {
        var entries = Chain(Scan, OperatorAction, Scan with { At = Scan.At.AddMinutes(2) });

        var report = AuditChain.Verify(entries, new AuditHead(0, AuditChain.Genesis), Head(entries), Head(entries));

        Assert.That(report.Valid, Is.True, report.Problem);
    }

    [TestCase("actor name")]
    [TestCase("actor id")]
    [TestCase("no actor")]
    [TestCase("target")]
    [TestCase("no target")]
    public void ChangingTheActorOrTarget_BreaksTheChain(string change)
    {
        var entries = Chain(Scan, OperatorAction, Scan);
        var changed = change switch
        {
            "actor name" => OperatorAction with { Actor = OperatorAction.Actor! with { Name = "赵审计" } },
            "actor id" => OperatorAction with { Actor = OperatorAction.Actor! with { OperatorId = "op_2" } },
            "no actor" => OperatorAction with { Actor = null },
            "target" => OperatorAction with { Target = "st_other" },
            _ => OperatorAction with { Target = null },
        };
        entries[1] = entries[1] with { Event = changed };

        var report = AuditChain.Verify(entries, new AuditHead(0, AuditChain.Genesis), Head(entries), Head(entries));

        Assert.Multiple(() =>
        {
            Assert.That(report.Valid, Is.False);
            Assert.That(report.Problem, Is.EqualTo("entry 2 was changed"));
        });
    }

    [Test]
    public void AnActorAndATarget_CannotBeTakenForOneAnother()
    {
        // The same text in either field: the tags keep the two entries apart.
        var asActor = OperatorAction with { Actor = new AuditActor("x", "y"), Target = null };
        var asTarget = OperatorAction with { Actor = null, Target = "x" };

        Assert.That(AuditChain.Hash(1, asActor, AuditChain.Genesis), Is.Not.EqualTo(AuditChain.Hash(1, asTarget, AuditChain.Genesis)));
    }

    private static List<AuditEntry> Chain(params AuditEvent[] events)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis;
        foreach (var e in events)
        {
            var seq = entries.Count + 1L;
            var hash = AuditChain.Hash(seq, e, previous);
            entries.Add(new AuditEntry(seq, e, previous, hash));
            previous = hash;
        }

        return entries;
    }

    private static AuditHead Head(List<AuditEntry> entries) => new(entries[^1].Seq, entries[^1].Hash);
}
