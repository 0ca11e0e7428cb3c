using System.Runtime.ExceptionServices;

namespace CondInst.Kernels;

/// <summary>Work split into numbered, independent items; <see cref="CpuWorkers.For"/> runs them on all cores.</summary>
internal interface IParallelWork
{
    /// <summary>Runs item <paramref name="item"/> (0 ≤ item &lt; count); called concurrently for different items.</summary>
    void Run(int item);
}

/// <summary>
/// A small fixed pool of worker threads (one per core, the calling thread being one of them) that hands out
/// numbered work items through an atomic counter. Unlike Parallel.For it allocates nothing per call. A call made
/// while the pool is busy (nested, or from another thread) runs its items serially on the caller.
/// </summary>
internal sealed class CpuWorkers
{
    /// <summary>
    /// The process-wide pool: one thread per logical processor, or CONDINST_CPU_THREADS threads when that
    /// environment variable holds a positive number (for benchmarks and for sharing a machine).
    /// </summary>
    public static readonly CpuWorkers Shared = new(ThreadCount());

    private readonly SemaphoreSlim _go = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private IParallelWork? _work;
    private int _count;
    private int _next;
    private int _active;
    private int _busy;
    private Exception? _error;

    private CpuWorkers(int threads)
    {
        Threads = Math.Max(1, threads);
        for (int i = 1; i < Threads; i++)
            new Thread(Loop) { IsBackground = true, Name = $"condinst-cpu-{i}" }.Start();
    }

    private static int ThreadCount() =>
        int.TryParse(Environment.GetEnvironmentVariable("CONDINST_CPU_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>Threads that run items, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Runs items 0..count-1 of <paramref name="work"/> on all threads and returns when all are done.</summary>
    public void For(int count, IParallelWork work)
    {
        if (count <= 0) return;
        if (count == 1 || Threads == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) work.Run(i);
            return;
        }
        try
        {
            int helpers = Math.Min(Threads - 1, count - 1);
            _work = work;
            _count = count;
            _next = 0;
            _error = null;
            _active = helpers + 1;
            _done.Reset();
            _go.Release(helpers);
            Drain();
            if (Interlocked.Decrement(ref _active) != 0) _done.Wait();
            _work = null;
            if (_error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void Drain()
    {
        var work = _work!;
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < _count)
        {
            try
            {
                work.Run(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
                Volatile.Write(ref _next, _count); // stop handing out items
            }
        }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            Drain();
            if (Interlocked.Decrement(ref _active) == 0) _done.Set();
        }
    }
}
