using System.Runtime.InteropServices;

namespace CondInst.Kernels;

/// <summary>A tensor in host memory (used by the native <c>cpu</c> backend and for host-side data).</summary>
public sealed class HostTensor : Tensor
{
    private readonly HostBuffer _buffer;
    private readonly long _byteOffset;
    private readonly BufferPool<HostBuffer>? _pool;
    private readonly long _blockBytes;
    private readonly IBackend _backend;
    private bool _disposed;

    internal HostTensor(IBackend backend, DType dtype, ReadOnlySpan<int> shape, HostBuffer buffer, long byteOffset, BufferPool<HostBuffer>? pool)
        : this(backend, dtype, shape, new PoolBlock<HostBuffer>(buffer, byteOffset, buffer.ByteLength - byteOffset), pool)
    {
    }

    // A tensor at the start of a block; a pooled one gives the block back on Dispose.
    internal HostTensor(IBackend backend, DType dtype, ReadOnlySpan<int> shape, PoolBlock<HostBuffer> block, BufferPool<HostBuffer>? pool)
        : base(dtype, shape)
    {
        if (ByteLength > block.Bytes || block.Offset + block.Bytes > block.Buffer.ByteLength)
            throw new ArgumentException($"tensor {this} at byte {block.Offset} does not fit its {block.Bytes}-byte block of a {block.Buffer.ByteLength}-byte buffer");
        _backend = backend;
        _buffer = block.Buffer;
        _byteOffset = block.Offset;
        _blockBytes = block.Bytes;
        _pool = pool;
    }

    /// <summary>A stand-alone host tensor (not pooled) owned by <paramref name="backend"/>.</summary>
    public static HostTensor Create(IBackend backend, DType dtype, params int[] shape)
    {
        long bytes = 1;
        foreach (int d in shape) bytes *= d;
        bytes *= dtype.Size();
        return new HostTensor(backend, dtype, shape, new HostBuffer(bytes), 0, null);
    }

    /// <inheritdoc/>
    public override IBackend Backend => _backend;

    /// <summary>The elements as a span of <typeparamref name="T"/>, which must match <see cref="Tensor.DType"/>.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != DType)
            throw new InvalidOperationException($"tensor {this} holds {DType}, not {typeof(T).Name}");
        return MemoryMarshal.Cast<byte, T>(_buffer.Bytes.Slice((int)_byteOffset, (int)ByteLength));
    }

    /// <summary>Float32 elements (shorthand for <c>AsSpan&lt;float&gt;()</c>).</summary>
    public Span<float> Floats => AsSpan<float>();

    /// <summary>Address of the first element; valid while the tensor (or its owner) is alive.</summary>
    public unsafe T* Pointer<T>() where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != DType)
            throw new InvalidOperationException($"tensor {this} holds {DType}, not {typeof(T).Name}");
        return (T*)(_buffer.Pointer + _byteOffset);
    }

    /// <inheritdoc/>
    protected override Tensor CreateView(long elementOffset, int[] shape) =>
        new HostTensor(_backend, DType, shape, _buffer, _byteOffset + elementOffset * DType.Size(), pool: null) { IsView = true };

    private bool IsView { get; init; }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_disposed || IsView) return;
        _disposed = true;
        if (_pool != null) _pool.Return(new PoolBlock<HostBuffer>(_buffer, _byteOffset, _blockBytes));
        else _buffer.Dispose();
    }
}
