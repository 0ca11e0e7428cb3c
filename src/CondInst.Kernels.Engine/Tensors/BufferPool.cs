namespace CondInst.Kernels;

/// <summary>
/// Backend memory for tensors, planned per pass (one inference). The pool records each pass's requests and returns;
/// at the end of the pass it places every request at an offset of one buffer, the arena, so that requests alive at
/// the same time never overlap (<see cref="EndPass"/>). A later pass that makes the same requests in the same order
/// (a same-sized image) is served from that plan: it allocates nothing, and the arena is about the peak of bytes in
/// use (a network's feature maps of different sizes share it across phases, where buffers pooled by size would keep
/// one set per size). Requests no plan foresaw (a first pass, a new size, or the rest of a pass once its requests
/// differ from the plan's, such as another number of detections) get buffers of their own: the smallest free one of
/// at most <see cref="MaxOversize"/> times their size class, or a new one. Thread-safe: a pass whose requests
/// interleave differently only misses its plan.
/// <para>
/// Passes bound what it keeps: the plans of the last <see cref="PassWindow"/> passes (one per distinct sequence of
/// requests) with an arena of the largest of them, the buffers in use, and the free buffers of own use that a pass
/// of the window needed after missing its plan partway. What else a pass made is freed at its end, as is an arena
/// larger than the kept plans need; a repeated pass frees and allocates nothing. The arena changes size only when
/// none of its blocks is in use, and a pass that starts with arena blocks still in use (tensors kept across passes)
/// gets buffers of its own.
/// </para>
/// </summary>
/// <typeparam name="TBuffer">The backend's buffer type.</typeparam>
public sealed partial class BufferPool<TBuffer> : IDisposable where TBuffer : class, IDisposable
{
    /// <summary>Passes a plan is kept after its last use.</summary>
    public const int PassWindow = 4;

    /// <summary>Requests up to this size are rounded up to a multiple of it (small tensors: biases, scalars).</summary>
    public const long MinClassBytes = 256;

    /// <summary>Size classes per doubling of size: a block is at most 1/<c>ClassesPerOctave</c> larger than asked.</summary>
    public const int ClassesPerOctave = 8;

    /// <summary>A request no plan foresaw takes a free buffer of at most this many times its size class.</summary>
    public const int MaxOversize = 2;

    // A buffer of the pool's own use (not the arena). Rent: the request of this pass that holds it, -1 when free
    // or held since an earlier pass. LastTailPass: the last pass that needed it after missing its plan partway.
    private sealed class Slot(TBuffer buffer, long size)
    {
        public TBuffer Buffer { get; } = buffer;

        public long Size { get; } = size;

        public bool Free;
        public int Rent = -1;
        public int LastTailPass = int.MinValue;
    }

    private readonly List<Slot> _slots = new();
    private readonly Dictionary<TBuffer, Slot> _slotOf = new(ReferenceEqualityComparer.Instance);
    private readonly Func<long, TBuffer> _allocate;
    private readonly long _maxBufferBytes;
    private readonly object _lock = new();
    private bool _disposed;

    /// <summary>
    /// Creates a pool that calls <paramref name="allocate"/> with a byte size when it needs a buffer; no buffer, the
    /// arena included, is made larger than <paramref name="maxBufferBytes"/>.
    /// </summary>
    public BufferPool(Func<long, TBuffer> allocate, long maxBufferBytes = long.MaxValue)
    {
        _allocate = allocate;
        _maxBufferBytes = maxBufferBytes;
    }

    /// <summary>Bytes currently handed out (block sizes).</summary>
    public long BytesInUse { get; private set; }

    /// <summary>Bytes held free for reuse: free buffers and the arena's part not in use.</summary>
    public long BytesFree { get; private set; }

    /// <summary>Largest <see cref="BytesInUse"/> seen since creation or the last <see cref="ResetPeak"/>.</summary>
    public long PeakBytesInUse { get; private set; }

    /// <summary>Number of real allocations made (the arena's included).</summary>
    public long Allocations { get; private set; }

    /// <summary>
    /// The size of the block a request of <paramref name="bytes"/> gets: a multiple of <see cref="MinClassBytes"/>
    /// up to 4 KiB, then the next of <see cref="ClassesPerOctave"/> evenly spaced sizes per power of two (at most
    /// 12.5 % more).
    /// </summary>
    public static long SizeClass(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes <= 4096) return (bytes + MinClassBytes - 1) / MinClassBytes * MinClassBytes;
        int top = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(bytes - 1));
        long step = 1L << (top - System.Numerics.BitOperations.Log2(ClassesPerOctave));
        return (bytes + step - 1) / step * step;
    }

    /// <summary>
    /// A block of at least <paramref name="bytes"/> bytes: planned (<see cref="BlockSize"/> bytes of the arena), or a
    /// free buffer of its own, or a new one of <see cref="SizeClass"/> bytes.
    /// </summary>
    public PoolBlock<TBuffer> Rent(long bytes)
    {
        long size = SizeClass(bytes);
        int index, pass;
        Slot? slot;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            pass = _pass;
            index = Request(bytes);
            if (PlannedOffset(index) is long offset)
            {
                long block = BlockSize(bytes);
                _arenaLive.Add(offset, index);
                _arenaInUse += block;
                BytesFree -= block;
                Count(block);
                return new PoolBlock<TBuffer>(_arena!.Buffer, offset, block);
            }
            slot = BestFit(size);
            if (slot != null) Take(slot, index);
        }
        if (slot == null)
        {
            // Allocate outside the lock; count only what was really handed out (an allocation may fail: out of memory).
            var buffer = _allocate(size);
            lock (_lock)
            {
                slot = new Slot(buffer, size);
                _slots.Add(slot);
                _slotOf.Add(buffer, slot);
                Allocations++;
                // If another thread ended the pass meanwhile, the request belongs to an earlier pass: held across
                // its end. If the pool was disposed meanwhile, the caller's Return disposes the buffer.
                Take(slot, pass == _pass ? index : -1);
            }
        }
        return new PoolBlock<TBuffer>(slot.Buffer, 0, slot.Size);
    }

    private void Take(Slot slot, int index)
    {
        if (slot.Free) BytesFree -= slot.Size;
        slot.Free = false;
        slot.Rent = index;
        if (_tail) slot.LastTailPass = _pass;
        Count(slot.Size);
    }

    private void Count(long bytes)
    {
        BytesInUse += bytes;
        PeakBytesInUse = Math.Max(PeakBytesInUse, BytesInUse);
    }

    // The smallest free buffer of size..MaxOversize·size (the first made among equals), or null.
    private Slot? BestFit(long size)
    {
        Slot? best = null;
        foreach (var s in _slots)
            if (s.Free && s.Size >= size && s.Size <= MaxOversize * size && (best == null || s.Size < best.Size))
                best = s;
        return best;
    }

    /// <summary>Gives a block back for reuse.</summary>
    public void Return(PoolBlock<TBuffer> block)
    {
        lock (_lock)
        {
            if (_arena != null && ReferenceEquals(block.Buffer, _arena.Buffer))
            {
                if (!_arenaLive.Remove(block.Offset, out int rent))
                    throw new InvalidOperationException($"buffer pool: the arena block at byte {block.Offset} is not in use (returned twice?)");
                BytesInUse -= block.Bytes;
                _arenaInUse -= block.Bytes;
                BytesFree += block.Bytes;
                if (rent >= 0) Returned(rent);
                if (_disposed && _arenaLive.Count == 0) SetArena(0);
                return;
            }
            if (!_slotOf.TryGetValue(block.Buffer, out var slot) || slot.Free)
                throw new InvalidOperationException("buffer pool: a block was returned that is not in use (returned twice, or not from this pool)");
            BytesInUse -= slot.Size;
            if (_disposed)
            {
                Drop(slot);
                return;
            }
            if (slot.Rent >= 0) Returned(slot.Rent);
            slot.Rent = -1;
            slot.Free = true;
            BytesFree += slot.Size;
        }
    }

    private void Drop(Slot slot)
    {
        _slots.Remove(slot);
        _slotOf.Remove(slot.Buffer);
        slot.Buffer.Dispose();
    }

    /// <summary>Frees every buffer not in use (the arena too, when none of it is), and forgets the plans.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var s in _slots.Where(s => s.Free).ToList())
            {
                BytesFree -= s.Size;
                Drop(s);
            }
            _plans.Clear();
            _follow = null;
            if (_arenaLive.Count == 0) SetArena(0);
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
