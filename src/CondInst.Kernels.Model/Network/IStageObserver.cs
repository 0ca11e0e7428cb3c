namespace CondInst.Kernels.Model;

/// <summary>
/// What the stages of a prediction report as they go: intermediate tensors by the names of the mmdetection fixture
/// manifest (<c>input</c>, <c>fpn_p3</c>, <c>head_cls_score_l0</c>, <c>mask_feat</c>, ...) and the end of each timed
/// stage (<c>preprocess</c>, <c>backbone</c>, ..., <c>mask_paste</c>). The stages report unconditionally and know
/// nothing of what is done with it; stage dumps, stage-by-stage tests and per-stage clocks are observers attached
/// from outside (see <see cref="StageObserver"/>).
/// </summary>
public interface IStageObserver
{
    /// <summary>A device tensor; it is valid only during the call (an observer downloads what it keeps).</summary>
    void Tensor(string name, Tensor tensor);

    /// <summary>A host array, made by <paramref name="make"/> only if this observer keeps arrays (and only during the call).</summary>
    void Array(string name, Func<NpyArray> make);

    /// <summary>The stage <paramref name="stage"/> has been issued (the device may still be running it).</summary>
    void StageDone(string stage);
}

/// <summary>Observers that need no state: none, and several as one.</summary>
public static class StageObserver
{
    /// <summary>An observer that ignores everything (what a prediction uses when none is given).</summary>
    public static IStageObserver None { get; } = new Combined([]);

    /// <summary>One observer reporting to each of <paramref name="observers"/> in order (null entries skipped).</summary>
    public static IStageObserver Combine(params IStageObserver?[] observers)
    {
        var list = observers.Where(o => o is not null).Select(o => o!).ToArray();
        return list.Length == 1 ? list[0] : new Combined(list);
    }

    /// <summary>An observer that throws <see cref="OperationCanceledException"/> at the first stage end after <paramref name="cancel"/> is signalled.</summary>
    internal static IStageObserver Cancellation(CancellationToken cancel) => new Canceller(cancel);

    private sealed class Canceller(CancellationToken cancel) : IStageObserver
    {
        public void Tensor(string name, Tensor tensor)
        {
        }

        public void Array(string name, Func<NpyArray> make)
        {
        }

        public void StageDone(string stage) => cancel.ThrowIfCancellationRequested();
    }

    private sealed class Combined(IStageObserver[] observers) : IStageObserver
    {
        public void Tensor(string name, Tensor tensor)
        {
            foreach (var o in observers) o.Tensor(name, tensor);
        }

        public void Array(string name, Func<NpyArray> make)
        {
            if (observers.Length == 0) return;
            // Made at most once, however many observers keep it.
            var lazy = new Lazy<NpyArray>(make);
            foreach (var o in observers) o.Array(name, () => lazy.Value);
        }

        public void StageDone(string stage)
        {
            foreach (var o in observers) o.StageDone(stage);
        }
    }
}
