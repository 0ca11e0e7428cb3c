namespace CondInst.Kernels;

/// <summary>
/// Recycles backend buffers by exact byte size, so that repeated inference on same-sized images allocates
/// nothing after the first run. Thread-safe. Buffers are handed out whole; callers view as much as they need.
/// </summary>
/// <typeparam name="TBuffer">The backend's buffer type.</typeparam>
public sealed class BufferPool<TBuffer> : IDisposable where TBuffer : class, IDisposable
{
    private readonly Dictionary<long, Stack<TBuffer>> _free = new();
    private readonly Func<long, TBuffer> _allocate;
    private readonly object _lock = new();
    private bool _disposed;

    /// <summary>Creates a pool that calls <paramref name="allocate"/> with a byte size when it has nothing free.</summary>
    public BufferPool(Func<long, TBuffer> allocate) => _allocate = allocate;

    /// <summary>Bytes currently handed out.</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes held free for reuse.</summary>
    public long BytesFree { get; private set; }

    /// <summary>Largest <see cref="BytesInUse"/> seen since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Number of real allocations made (pool misses).</summary>
    public long Allocations { get; private set; }

    /// <summary>A buffer of exactly <paramref name="bytes"/> bytes, reused when one is free.</summary>
    public TBuffer Rent(long bytes)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue(bytes, out var stack) && stack.Count > 0)
            {
                BytesFree -= bytes;
                Count(bytes);
                return stack.Pop();
            }
        }
        // Allocate outside the lock; count only what was really handed out (an allocation may fail: out of memory).
        var buffer = _allocate(bytes);
        lock (_lock)
        {
            Allocations++;
            Count(bytes);
        }
        return buffer;
    }

    private void Count(long bytes)
    {
        BytesInUse += bytes;
        PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
    }

    /// <summary>Gives a buffer of <paramref name="bytes"/> bytes back for reuse.</summary>
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
            if (!_free.TryGetValue(bytes, out var stack)) _free[bytes] = stack = new Stack<TBuffer>();
            stack.Push(buffer);
            BytesFree += bytes;
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
