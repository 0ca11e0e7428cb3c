namespace CondInst.Kernels;

/// <summary>
/// Recycles backend buffers by size class, so that repeated inference on same-sized images allocates nothing after
/// the first run, and a buffer freed by one shape serves the next shape of about its size (a network's feature maps
/// differ in size by a few percent from layer to layer; pooled by exact size, each size would keep its own buffers
/// and the pool would hold several times the memory actually in use). Thread-safe. Buffers are handed out whole (of
/// their class size); callers view as much as they need.
/// <para>
/// Passes bound what it keeps: <see cref="EndPass"/> frees, per size class, the free buffers that none of the last
/// <see cref="PassWindow"/> passes needed (the smallest of the class's low-water marks of free buffers over those
/// passes). Repeating a pass on same-sized input therefore frees nothing and allocates nothing, a few alternating
/// sizes keep their buffers, and buffers that only an earlier, larger or differently shaped input needed are let go
/// after <see cref="PassWindow"/> passes without them instead of being held for the life of the process.
/// </para>
/// </summary>
/// <typeparam name="TBuffer">The backend's buffer type.</typeparam>
public sealed class BufferPool<TBuffer> : IDisposable where TBuffer : class, IDisposable
{
    /// <summary>Passes over which a free buffer must have gone unused before <see cref="EndPass"/> frees it.</summary>
    public const int PassWindow = 4;

    /// <summary>Requests up to this size are rounded up to a multiple of it (small tensors: biases, scalars).</summary>
    public const long MinClassBytes = 256;

    /// <summary>Size classes per doubling of size: a buffer is at most 1/<c>ClassesPerOctave</c> larger than asked.</summary>
    public const int ClassesPerOctave = 8;

    private readonly Dictionary<long, Stack<TBuffer>> _free = new();
    private readonly Dictionary<long, int> _lowWater = new(); // per class: fewest free buffers since the pass began
    private readonly Dictionary<long, Queue<int>> _earlier = new(); // per class: the low-water marks of earlier passes in the window
    private readonly Func<long, TBuffer> _allocate;
    private readonly object _lock = new();
    private bool _disposed;

    /// <summary>Creates a pool that calls <paramref name="allocate"/> with a byte size when it has nothing free.</summary>
    public BufferPool(Func<long, TBuffer> allocate) => _allocate = allocate;

    /// <summary>Bytes currently handed out (class sizes).</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes held free for reuse.</summary>
    public long BytesFree { get; private set; }

    /// <summary>Largest <see cref="BytesInUse"/> seen since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Number of real allocations made (pool misses).</summary>
    public long Allocations { get; private set; }

    /// <summary>
    /// The size a request of <paramref name="bytes"/> is served with: a multiple of <see cref="MinClassBytes"/> up to
    /// 4 KiB, then the next of <see cref="ClassesPerOctave"/> evenly spaced sizes per power of two (at most 12.5 % more).
    /// </summary>
    public static long SizeClass(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= 4096) return (bytes + MinClassBytes - 1) / MinClassBytes * MinClassBytes;
        int top = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        long step = 1L << (top - System.Numerics.BitOperations.Log2(ClassesPerOctave));
        return (bytes + step - 1) / step * step;
    }

    /// <summary>A buffer of <see cref="SizeClass"/>(<paramref name="bytes"/>) bytes, reused when one is free.</summary>
    public TBuffer Rent(long bytes)
    {
        long size = SizeClass(bytes);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                BytesFree -= size;
                Count(size);
                var reused = stack.Pop();
                if (_lowWater.TryGetValue(size, out int low) && stack.Count < low) _lowWater[size] = stack.Count;
                return reused;
            }
        }
        // Allocate outside the lock; count only what was really handed out (an allocation may fail: out of memory).
        var buffer = _allocate(size);
        lock (_lock)
        {
            Allocations++;
            Count(size);
        }
        return buffer;
    }

    private void Count(long bytes)
    {
        BytesInUse += bytes;
        PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
    }

    /// <summary>Gives a buffer of <paramref name="bytes"/> bytes (its full size, as rented) back for reuse.</summary>
    public void Return(TBuffer buffer, long bytes)
    {
        lock (_lock)
        {
            BytesInUse -= bytes;
            if (_disposed)
            {
                buffer.Dispose();
                return;
            }
            if (!_free.TryGetValue(bytes, out var stack))
            {
                _free[bytes] = stack = new Stack<TBuffer>();
                _lowWater[bytes] = 0; // a class new in this pass: all its buffers were needed
            }
            stack.Push(buffer);
            BytesFree += bytes;
        }
    }

    /// <summary>
    /// Ends a pass (one inference, say): frees the free buffers of each class that none of the last
    /// <see cref="PassWindow"/> passes needed (see the class comment) and starts counting the next pass.
    /// </summary>
    public void EndPass()
    {
        lock (_lock)
        {
            foreach (var (size, stack) in _free)
            {
                if (!_earlier.TryGetValue(size, out var earlier)) _earlier[size] = earlier = new Queue<int>();
                earlier.Enqueue(_lowWater.GetValueOrDefault(size));
                if (earlier.Count > PassWindow) earlier.Dequeue();
                // Buffers are interchangeable within a class: the fewest left unused by any pass of the window were
                // needed by none of them.
                int surplus = earlier.Count < PassWindow ? 0 : Math.Min(earlier.Min(), stack.Count);
                for (int i = 0; i < surplus; i++) stack.Pop().Dispose();
                BytesFree -= surplus * size;
                if (surplus > 0)
                {
                    var left = earlier.Select(l => l - surplus).ToArray();
                    earlier.Clear();
                    foreach (int l in left) earlier.Enqueue(l);
                }
                _lowWater[size] = stack.Count;
            }
        }
    }

    /// <summary>Frees every buffer not in use.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
                while (stack.Count > 0) stack.Pop().Dispose();
            _free.Clear();
            _lowWater.Clear();
            _earlier.Clear();
            BytesFree = 0;
        }
    }

    /// <summary>Starts a new peak measurement.</summary>
    public void ResetPeak()
    {
        lock (_lock) PeakBytesInUse = BytesInUse;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        Trim();
    }
}
