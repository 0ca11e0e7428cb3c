using System.Runtime.ExceptionServices;

namespace CondInst.Kernels;

/// <summary>Work split into numbered, independent items; <see cref="CpuWorkers.For"/> runs them on all cores.</summary>
internal interface IParallelWork
{
    /// <summary>Runs item <paramref name="item"/> (0 ≤ item &lt; count); called concurrently for different items.</summary>
    void Run(int item);
}

/// <summary>
/// A small fixed pool of worker threads (the calling thread being one of them) that hands out numbered work items
/// through an atomic counter. Unlike Parallel.For it allocates nothing per call. A call made while the pool is busy
/// (nested, or from another thread) runs its items serially on the caller.
/// <para>The operations use <see cref="Shared"/>: the pool a <see cref="CpuBackend"/> with its own thread count
/// has entered on this thread (<see cref="CpuBackend.UseWorkers"/>), else the process-wide default pool. So two
/// models, each with its own backend and pool, split the cores as their thread counts say.</para>
/// </summary>
internal sealed class CpuWorkers : IDisposable
{
    /// <summary>The environment variable that sets the default pool's size (a positive number).</summary>
    public const string ThreadsVariable = "CONDINST_CPU_THREADS";

    private static readonly Lazy<CpuWorkers> DefaultPool = new(() => new CpuWorkers(DefaultThreads()));

    [ThreadStatic]
    private static CpuWorkers? t_current;

    private bool _stopping;

    private readonly SemaphoreSlim _go = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private IParallelWork? _work;
    private int _count;
    private int _next;
    private int _active;
    private int _busy;
    private Exception? _error;

    /// <summary>A pool of <paramref name="threads"/> threads, the caller included (dispose it to end them).</summary>
    public CpuWorkers(int threads)
    {
        Threads = Math.Max(1, threads);
        for (int i = 1; i < Threads; i++)
            new Thread(Loop) { IsBackground = true, Name = $"condinst-cpu-{i}" }.Start();
    }

    /// <summary>
    /// The pool operations on this thread use: the one entered with <see cref="Enter"/>, else the process-wide default
    /// (one thread per logical processor, or <see cref="ThreadsVariable"/> threads when that holds a positive number).
    /// </summary>
    public static CpuWorkers Shared => t_current ?? DefaultPool.Value;

    /// <summary>The default pool's size: <see cref="ThreadsVariable"/> when it holds a positive number, else the logical processors.</summary>
    public static int DefaultThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>Makes this pool <see cref="Shared"/> on the calling thread until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        var previous = t_current;
        t_current = this;
        return new Scope(previous);
    }

    /// <summary>Restores the pool that was current before <see cref="Enter"/>.</summary>
    public readonly struct Scope(CpuWorkers? previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_current = previous;
    }

    /// <summary>Ends the helper threads (after the work in progress).</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        if (Threads > 1) _go.Release(Threads - 1);
    }

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
        // Nested calls from inside an item find this pool busy and run serially, as on the calling thread.
        t_current = this;
        while (true)
        {
            _go.Wait();
            if (_stopping) return;
            Drain();
            if (Interlocked.Decrement(ref _active) == 0) _done.Set();
        }
    }
}
