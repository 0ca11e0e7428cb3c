using CondInst.Kernels.Fuzz;

namespace CondInst.Kernels.Tests.Fuzz;

/// <summary>
/// The fuzzing harness (tests/CondInst.Kernels.Fuzz) in its short seeded form: 20 cases of every target, in this
/// process. Every case must end loaded or refused with the component's own exception, and no case may allocate
/// more than 256 MiB. The long run with a memory ceiling per worker process is one command (tests/FUZZING.md).
/// </summary>
public sealed class ShortFuzzRunTests
{
    [Fact]
    public void TwentyCasesOfEveryTargetEndLoadedOrRefused()
    {
        var targets = Targets.All();
        var tally = Session.Run(targets, seed: 20261207, from: 0, to: 20L * targets.Count);
        Assert.True(tally.Findings.Count == 0, string.Join("\n", tally.Findings));
        Assert.Equal(0, tally.Of(Outcome.Untyped) + tally.Of(Outcome.OverMemory));
        Assert.Equal(20L * targets.Count, tally.Of(Outcome.Loaded) + tally.Of(Outcome.Refused));
        Assert.True(tally.PeakBytes < 256L << 20, $"a case allocated {tally.PeakBytes} bytes");
        // Every target's mutations reach a refusal somewhere (none is a no-op that only ever loads).
        foreach (var t in targets)
            Assert.True(tally.Counts.GetValueOrDefault((t.Name, Outcome.Refused)) > 0, $"target '{t.Name}' was never refused in 20 cases");
    }
}
