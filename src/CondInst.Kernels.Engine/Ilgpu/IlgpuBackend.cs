using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace CondInst.Kernels;

/// <summary>
/// The ILGPU backend: the kernels of <c>kernels/</c> on CUDA, OpenCL or ILGPU's CPU simulator. Operations are
/// launched asynchronously on the accelerator's default stream (in submission order); <see cref="Download{T}"/>,
/// <see cref="Synchronize"/>, <see cref="TopKScores"/> and <see cref="Nms"/> wait for them. Each kernel is
/// compiled on first use and cached for the life of the backend. Operation families live in the partial files
/// <c>IlgpuBackend.*.cs</c>.
/// </summary>
public sealed partial class IlgpuBackend : IBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly BufferPool<MemoryBuffer1D<byte, Stride1D.Dense>> _pool;

    // errors[0]: flags set by kernels that met a bad index (DetectionKernels.Error*), checked after each wait.
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _errors;
    private bool _disposed;

    private IlgpuBackend(Context context, Accelerator accelerator, DeviceInfo device)
    {
        _context = context;
        _accelerator = accelerator;
        Device = device;
        _pool = new BufferPool<MemoryBuffer1D<byte, Stride1D.Dense>>(bytes => _accelerator.Allocate1D<byte>(bytes));
        _errors = _accelerator.Allocate1D<int>(1);
        _errors.MemSetToZero();
        _accelerator.Synchronize();
    }

    /// <inheritdoc/>
    public DeviceInfo Device { get; }

    /// <summary>The ILGPU accelerator (for benchmarks and ILGPU-specific tests).</summary>
    internal Accelerator Accelerator => _accelerator;

    /// <summary>Forces a convolution implementation (tests); null lets the backend choose per shape.</summary>
    internal ConvPath? ForceConvPath { get; set; }

    /// <inheritdoc/>
    public void Synchronize()
    {
        _accelerator.Synchronize();
        ThrowOnKernelErrors();
    }

    // Reads and clears the kernels' error flags (the stream has been synchronised by the caller).
    private void ThrowOnKernelErrors()
    {
        Span<int> flags = stackalloc int[1];
        ArrayView<int> view = _errors.View;
        view.CopyToCPU(_accelerator.DefaultStream, flags);
        _accelerator.DefaultStream.Synchronize();
        if (flags[0] == 0) return;
        _errors.MemSetToZero();
        _accelerator.Synchronize();
        var what = new List<string>();
        if ((flags[0] & DetectionKernels.ErrorDecodeIndex) != 0) what.Add("decode_candidates: a flat index was outside [0, H·W·classes)");
        if ((flags[0] & DetectionKernels.ErrorGatherColumn) != 0) what.Add("gather_columns: a column index was outside [0, H·W)");
        if ((flags[0] & DetectionKernels.ErrorGatherRow) != 0) what.Add("gather_rows: a row index was outside the source rows");
        throw new ArgumentException(
            $"{Device.Id}: {string.Join("; ", what)} (checked on the device; those elements were not written; reported at the next wait)");
    }

    /// <summary>Frees pooled memory, the accelerator and its context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _accelerator.Synchronize();
        }
        finally
        {
            _pool.Dispose();
            _errors.Dispose();
            _accelerator.Dispose();
            _context.Dispose();
        }
    }
}
