using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

// Tensors, the pool, host transfers, copies and fills.
public sealed partial class IlgpuBackend
{
    private Action<KernelConfig, ArrayView<float>, int, float>? _fillFloat;
    private Action<KernelConfig, ArrayView<int>, int, int>? _fillInt;
    private Action<KernelConfig, ArrayView<byte>, int, byte>? _fillByte;

    /// <inheritdoc/>
    public MemoryStats Memory => new(_pool.BytesInUse, _pool.PeakBytesInUse, _pool.BytesFree, _pool.Allocations);

    /// <inheritdoc/>
    public void ResetPeakMemory() => _pool.ResetPeak();

    /// <inheritdoc/>
    public void EndPass()
    {
        // A buffer returned to the pool may still be read by queued kernels: wait for them before freeing any.
        Synchronize();
        _pool.EndPass();
    }

    /// <inheritdoc/>
    public Tensor Allocate(DType dtype, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long bytes = dtype.Size();
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"cannot allocate a tensor of shape {Tensor.Format(shape)}: negative dimension");
            bytes = checked(bytes * d);
        }
        return new IlgpuTensor(this, dtype, shape, _pool.Rent(bytes));
    }

    // Scratch space for one operation, returned to the pool when the operation ends.
    private IlgpuTensor Scratch(DType dtype, long length) => (IlgpuTensor)Allocate(dtype, checked((int)length));

    internal void ReturnBlock(PoolBlock<MemoryBuffer1D<byte, Stride1D.Dense>> block) => _pool.Return(block);

    /// <inheritdoc/>
    public Tensor Upload<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged
    {
        var t = (IlgpuTensor)Allocate(DTypeExtensions.Of<T>(), shape);
        if (data.Length != t.Length)
        {
            t.Dispose();
            throw new ArgumentException($"upload: {data.Length} elements given for shape {Tensor.Format(shape)} ({t.Length} elements)");
        }
        if (t.Length > 0)
        {
            t.View<T>().CopyFromCPU(_accelerator.DefaultStream, data);
            // The copy may read the caller's span asynchronously: wait before returning.
            _accelerator.DefaultStream.Synchronize();
        }
        return t;
    }

    /// <inheritdoc/>
    public void Download<T>(Tensor source, Span<T> destination) where T : unmanaged
    {
        var s = Dev("download", source);
        if (DTypeExtensions.Of<T>() != s.DType)
            throw new ArgumentException($"download: tensor {s} holds {s.DType}, not {typeof(T).Name}");
        if (destination.Length < s.Length)
            throw new ArgumentException($"download: destination holds {destination.Length} elements, {s} has {s.Length}");
        if (s.Length > 0) s.View<T>().CopyToCPU(_accelerator.DefaultStream, destination[..(int)s.Length]);
        _accelerator.DefaultStream.Synchronize();
        ThrowOnKernelErrors();
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        var s = Dev("copy", source);
        var d = Dev("copy", destination);
        if (s.DType != d.DType || s.Length != d.Length)
            throw new ArgumentException($"copy: source {s} and destination {d} differ in dtype or element count");
        if (s.Length == 0) return;
        s.View<byte>().CopyTo(_accelerator.DefaultStream, d.View<byte>());
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, float value)
    {
        var t = Dev("fill", tensor);
        int n = Count("fill", t);
        if (n == 0) return;
        var config = Stride(n);
        switch (t.DType)
        {
            case DType.Float32:
                (_fillFloat ??= _accelerator.LoadStreamKernel<ArrayView<float>, int, float>(ElementwiseKernels.Fill))(config, t.View<float>(), n, value);
                break;
            case DType.Int32:
                (_fillInt ??= _accelerator.LoadStreamKernel<ArrayView<int>, int, int>(ElementwiseKernels.Fill))(config, t.View<int>(), n, (int)value);
                break;
            default:
                (_fillByte ??= _accelerator.LoadStreamKernel<ArrayView<byte>, int, byte>(ElementwiseKernels.Fill))(config, t.View<byte>(), n, (byte)value);
                break;
        }
    }

    /// <summary>The device tensor behind <paramref name="t"/>, or a clear error if it lives elsewhere.</summary>
    private IlgpuTensor Dev(string op, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t is IlgpuTensor d && ReferenceEquals(d.Backend, this)) return d;
        throw new ArgumentException($"{op}: tensor {t} lives on {t.Backend.Device.Id}, not on {Device.Id}");
    }

    /// <summary>Element count as an int (kernels index with 32-bit integers).</summary>
    private static int Count(string op, Tensor t)
    {
        if (t.Length > int.MaxValue) throw new ArgumentException($"{op}: tensor {t} has more than {int.MaxValue} elements");
        return (int)t.Length;
    }
}
