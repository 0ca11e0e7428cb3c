using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

/// <summary>
/// A tensor in an ILGPU device buffer. Owning tensors hold a block rented from the backend's pool (a buffer of their
/// own or a part of the pool's arena) and give it back on <see cref="Dispose"/>; views (<see cref="Tensor.Reshape"/>,
/// <see cref="Tensor.Slice"/>) share their parent's buffer at a byte offset and dispose of nothing.
/// </summary>
public sealed class IlgpuTensor : Tensor
{
    private readonly IlgpuBackend _backend;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _buffer;
    private readonly long _byteOffset;
    private readonly bool _owner;
    private readonly long _blockBytes;
    private bool _disposed;

    internal IlgpuTensor(IlgpuBackend backend, DType dtype, ReadOnlySpan<int> shape, MemoryBuffer1D<byte, Stride1D.Dense> buffer,
        long byteOffset, bool owner)
        : base(dtype, shape)
    {
        if (byteOffset + ByteLength > buffer.LengthInBytes)
            throw new ArgumentException($"tensor {this} at byte {byteOffset} does not fit its {buffer.LengthInBytes}-byte buffer");
        _backend = backend;
        _buffer = buffer;
        _byteOffset = byteOffset;
        _owner = owner;
    }

    // A tensor owning a block rented from the backend's pool, given back on Dispose.
    internal IlgpuTensor(IlgpuBackend backend, DType dtype, ReadOnlySpan<int> shape, PoolBlock<MemoryBuffer1D<byte, Stride1D.Dense>> block)
        : this(backend, dtype, shape, block.Buffer, block.Offset, owner: true)
    {
        if (ByteLength > block.Bytes)
            throw new ArgumentException($"tensor {this} does not fit its {block.Bytes}-byte block");
        _blockBytes = block.Bytes;
    }

    /// <inheritdoc/>
    public override IBackend Backend => _backend;

    /// <summary>The elements as a device view of <typeparamref name="T"/> (which must match the dtype's size).</summary>
    internal ArrayView<T> View<T>() where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArrayView<byte> bytes = _buffer.View;
        return bytes.SubView(_byteOffset, ByteLength).Cast<T>();
    }

    /// <inheritdoc/>
    protected override Tensor CreateView(long elementOffset, int[] shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new IlgpuTensor(_backend, DType, shape, _buffer, _byteOffset + elementOffset * DType.Size(), owner: false);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_disposed || !_owner) return;
        _disposed = true;
        _backend.ReturnBlock(new PoolBlock<MemoryBuffer1D<byte, Stride1D.Dense>>(_buffer, _byteOffset, _blockBytes));
    }
}
