using System.Diagnostics;

namespace CondInst.Kernels.Model;

/// <summary>
/// Per-stage wall-clock times of one prediction. Each lap waits for the device first, so the times are the
/// stages' own; timing therefore costs a synchronisation per stage and is off unless asked for.
/// </summary>
public sealed class StageClock
{
    private readonly IBackend _backend;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Stage, double Ms)> _laps = [];

    internal StageClock(IBackend backend) => _backend = backend;

    /// <summary>Stage names and milliseconds, in order.</summary>
    public IReadOnlyList<(string Stage, double Ms)> Laps => _laps;

    internal void Lap(string stage)
    {
        _backend.Synchronize();
        _laps.Add((stage, _watch.Elapsed.TotalMilliseconds));
        _watch.Restart();
    }
}
