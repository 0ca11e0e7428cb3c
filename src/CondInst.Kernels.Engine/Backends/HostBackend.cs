namespace CondInst.Kernels;

/// <summary>
/// Base of backends whose tensors live in host memory (<see cref="HostTensor"/>): memory, copies and the pool.
/// Operations run synchronously on the calling thread (and whatever threads the backend fans out to).
/// </summary>
public abstract partial class HostBackend : IBackend
{
    private readonly BufferPool<HostBuffer> _pool = new(bytes => new HostBuffer(bytes), HostBuffer.MaxBytes);

    /// <summary>Creates a host backend describing itself as <paramref name="device"/>.</summary>
    protected HostBackend(DeviceInfo device) => Device = device;

    /// <inheritdoc/>
    public DeviceInfo Device { get; }

    /// <inheritdoc/>
    public MemoryStats Memory => new(_pool.BytesInUse, _pool.PeakBytesInUse, _pool.BytesFree, _pool.Allocations);

    /// <inheritdoc/>
    public void ResetPeakMemory() => _pool.ResetPeak();

    /// <inheritdoc/>
    public void EndPass() => _pool.EndPass();

    /// <inheritdoc/>
    public Tensor Allocate(DType dtype, params int[] shape)
    {
        long bytes = dtype.Size();
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"cannot allocate a tensor of shape {Tensor.Format(shape)}: negative dimension");
            bytes = checked(bytes * d);
        }
        return new HostTensor(this, dtype, shape, _pool.Rent(bytes), _pool);
    }

    /// <inheritdoc/>
    public Tensor Upload<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged
    {
        var t = (HostTensor)Allocate(DTypeExtensions.Of<T>(), shape);
        if (data.Length != t.Length)
        {
            t.Dispose();
            throw new ArgumentException($"upload: {data.Length} elements given for shape {Tensor.Format(shape)} ({t.Length} elements)");
        }
        data.CopyTo(t.AsSpan<T>());
        return t;
    }

    /// <inheritdoc/>
    public void Download<T>(Tensor source, Span<T> destination) where T : unmanaged
    {
        var src = Host("download", source).AsSpan<T>();
        if (destination.Length < src.Length)
            throw new ArgumentException($"download: destination holds {destination.Length} elements, {source} has {src.Length}");
        src.CopyTo(destination);
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        var s = Host("copy", source);
        var d = Host("copy", destination);
        if (s.DType != d.DType || s.Length != d.Length)
            throw new ArgumentException($"copy: source {s} and destination {d} differ in dtype or element count");
        switch (s.DType)
        {
            case DType.Float32: s.AsSpan<float>().CopyTo(d.AsSpan<float>()); break;
            case DType.Int32: s.AsSpan<int>().CopyTo(d.AsSpan<int>()); break;
            default: s.AsSpan<byte>().CopyTo(d.AsSpan<byte>()); break;
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, float value)
    {
        var t = Host("fill", tensor);
        switch (t.DType)
        {
            case DType.Float32: t.AsSpan<float>().Fill(value); break;
            case DType.Int32: t.AsSpan<int>().Fill((int)value); break;
            default: t.AsSpan<byte>().Fill((byte)value); break;
        }
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
    }

    /// <summary>The host tensor behind <paramref name="t"/>, or a clear error if it lives elsewhere.</summary>
    protected HostTensor Host(string op, Tensor t)
    {
        if (t is HostTensor h && ReferenceEquals(h.Backend, this)) return h;
        throw new ArgumentException($"{op}: tensor {t} lives on {t.Backend.Device.Id}, not on {Device.Id}");
    }

    /// <summary>Frees pooled memory.</summary>
    public virtual void Dispose()
    {
        _pool.Dispose();
        GC.SuppressFinalize(this);
    }
}
