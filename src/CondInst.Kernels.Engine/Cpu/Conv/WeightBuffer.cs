using System.Runtime.InteropServices;

namespace CondInst.Kernels;

/// <summary>
/// Native memory for a prepared weight form, 64-byte aligned. Not a pinned managed array (<see cref="HostBuffer"/>):
/// a freed pinned array leaves a hole in its pinned-heap region that stays committed while any other object there
/// lives, so a disposed model's forms would stay in the working set; native memory goes back to the system when it is
/// freed, and the collector neither scans nor moves it.
/// </summary>
internal sealed unsafe class WeightBuffer : IDisposable
{
    private static long s_liveBytes;
    private void* _pointer;

    /// <summary>Bytes of all weight buffers not yet freed, in this process.</summary>
    public static long LiveBytes => Interlocked.Read(ref s_liveBytes);

    /// <summary>Allocates <paramref name="bytes"/> bytes (at least one), uninitialised.</summary>
    public WeightBuffer(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), HostBuffer.Alignment);
        ByteLength = bytes;
        Interlocked.Add(ref s_liveBytes, bytes);
    }

    /// <summary>Usable size in bytes.</summary>
    public long ByteLength { get; }

    /// <summary>Address of the first byte (64-byte aligned).</summary>
    public byte* Pointer => _pointer != null ? (byte*)_pointer : throw new ObjectDisposedException(nameof(WeightBuffer));

    /// <inheritdoc/>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~WeightBuffer() => Free();

    private void Free()
    {
        if (_pointer == null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        Interlocked.Add(ref s_liveBytes, -ByteLength);
    }
}
