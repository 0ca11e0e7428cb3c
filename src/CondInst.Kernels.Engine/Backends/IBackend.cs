namespace CondInst.Kernels;

/// <summary>Memory counters of a backend's tensor pool.</summary>
/// <param name="BytesInUse">Bytes held by live tensors.</param>
/// <param name="PeakBytesInUse">Largest <paramref name="BytesInUse"/> since the last reset.</param>
/// <param name="BytesFree">Bytes kept free for reuse.</param>
/// <param name="Allocations">Real allocations made (pool misses).</param>
public readonly record struct MemoryStats(long BytesInUse, long PeakBytesInUse, long BytesFree, long Allocations);

/// <summary>
/// One device and everything the network needs from it. Two execution paths implement it: the native SIMD
/// <c>cpu</c> backend and the ILGPU backend (CUDA, OpenCL, ILGPU's CPU simulator). Operations are declared by
/// family in the partial files <c>IBackend.*.cs</c>; every tensor argument must live on this backend.
/// Operations may run asynchronously on the device: <see cref="Download{T}"/> and <see cref="Synchronize"/>
/// wait for them. A backend is not thread-safe; use one per thread or serialise calls.
/// </summary>
public partial interface IBackend : IDisposable
{
    /// <summary>The device this backend runs on.</summary>
    DeviceInfo Device { get; }

    /// <summary>Pool counters (for benchmarks and leak checks).</summary>
    MemoryStats Memory { get; }

    /// <summary>Starts a new peak-memory measurement.</summary>
    void ResetPeakMemory();

    /// <summary>
    /// Marks the end of one pass (an inference): pooled memory the pass did not need is freed (see
    /// <see cref="BufferPool{TBuffer}.EndPass"/>), so the pool follows the inputs instead of keeping the largest
    /// ever seen. Backends without a pool ignore it.
    /// </summary>
    void EndPass()
    {
    }

    /// <summary>A pooled tensor with undefined contents.</summary>
    Tensor Allocate(DType dtype, params int[] shape);

    /// <summary>A pooled tensor holding a copy of <paramref name="data"/> (C order).</summary>
    Tensor Upload<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged;

    /// <summary>Copies all elements of <paramref name="source"/> to <paramref name="destination"/> (waits for pending work).</summary>
    void Download<T>(Tensor source, Span<T> destination) where T : unmanaged;

    /// <summary>Copies elements between two tensors of this backend with the same dtype and element count.</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Sets every element to <paramref name="value"/> (converted to the tensor's dtype).</summary>
    void Fill(Tensor tensor, float value);

    /// <summary>Waits until all submitted work has finished.</summary>
    void Synchronize();
}
