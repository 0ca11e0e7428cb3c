using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CondInst.Kernels;

/// <summary>
/// Host memory for tensors: a pinned array (so pointers stay valid and the GC never moves it) whose usable part
/// starts on a 64-byte boundary, the cache-line and AVX-512 alignment.
/// </summary>
public sealed class HostBuffer : IDisposable
{
    /// <summary>Alignment of <see cref="Pointer"/> in bytes.</summary>
    public const int Alignment = 64;

    /// <summary>Largest size of a host buffer in bytes (an array's limit less the alignment).</summary>
    public static long MaxBytes => System.Array.MaxLength - Alignment;

    private byte[]? _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="bytes"/> bytes, uninitialised.</summary>
    public unsafe HostBuffer(long bytes)
    {
        if (bytes < 0 || bytes > MaxBytes)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"host buffer of {bytes} bytes is out of range (at most {MaxBytes})");
        _array = GC.AllocateUninitializedArray<byte>((int)bytes + Alignment, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _offset = (int)((Alignment - (start % Alignment)) % Alignment);
        ByteLength = bytes;
    }

    /// <summary>Usable size in bytes.</summary>
    public long ByteLength { get; }

    /// <summary>Address of the first usable byte (64-byte aligned).</summary>
    public unsafe byte* Pointer => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Storage)) + _offset;

    /// <summary>The usable bytes.</summary>
    public Span<byte> Bytes => Storage.AsSpan(_offset, (int)ByteLength);

    private byte[] Storage => _array ?? throw new ObjectDisposedException(nameof(HostBuffer));

    /// <inheritdoc/>
    public void Dispose() => _array = null;
}
