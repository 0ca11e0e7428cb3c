using System.Diagnostics;

namespace CondInst.Kernels.Model;

/// <summary>
/// Per-stage wall-clock times of predictions, as an observer: each reported stage end waits for the device first,
/// so the times are the stages' own; timing therefore costs a synchronisation per stage and is off unless attached.
/// The clock starts when created or <see cref="Restart"/>ed.
/// </summary>
public sealed class StageClock : IStageObserver
{
    private readonly IBackend _backend;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(string Stage, double Ms)> _laps = [];

    /// <summary>A clock for predictions on <paramref name="backend"/> (the model's <see cref="CondInstModel.Backend"/>).</summary>
    public StageClock(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
    }

    /// <summary>Stage names and milliseconds, in order, since the last <see cref="Restart"/>.</summary>
    public IReadOnlyList<(string Stage, double Ms)> Laps => _laps;

    /// <summary>Forgets the laps and starts timing from now.</summary>
    public void Restart()
    {
        _laps.Clear();
        _watch.Restart();
    }

    /// <inheritdoc/>
    public void StageDone(string stage)
    {
        _backend.Synchronize();
        _laps.Add((stage, _watch.Elapsed.TotalMilliseconds));
        _watch.Restart();
    }

    /// <inheritdoc/>
    public void Tensor(string name, Tensor tensor)
    {
    }

    /// <inheritdoc/>
    public void Array(string name, Func<NpyArray> make)
    {
    }
}
