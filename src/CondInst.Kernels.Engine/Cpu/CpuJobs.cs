namespace CondInst.Kernels;

/// <summary>
/// A job over a range of indices [0, Length) cut into chunks of <see cref="Chunk"/>, one work item per chunk.
/// Operations keep one instance each (set up per call, reused), so a call allocates nothing.
/// </summary>
internal abstract class RangeJob : IParallelWork
{
    /// <summary>Indices in all.</summary>
    protected long Length { get; private set; }

    /// <summary>Indices per work item.</summary>
    protected long Chunk { get; private set; }

    /// <summary>Runs <see cref="Range"/> over [0, length) on all cores in chunks of about <paramref name="grain"/> or more.</summary>
    protected void Start(long length, long grain)
    {
        if (length <= 0) return;
        int threads = CpuWorkers.Shared.Threads;
        // At most 4 items per thread (dynamic balance), at least `grain` indices per item (amortise the hand-off).
        long chunk = Math.Max(grain, (length + 4 * threads - 1) / (4 * threads));
        Length = length;
        Chunk = chunk;
        CpuWorkers.Shared.For((int)((length + chunk - 1) / chunk), this);
    }

    /// <inheritdoc/>
    public void Run(int item)
    {
        long start = item * Chunk;
        Range(start, Math.Min(Length, start + Chunk));
    }

    /// <summary>Processes indices [start, end).</summary>
    protected abstract void Range(long start, long end);
}
