namespace CondInst.Kernels;

/// <summary>The execution paths a backend can take.</summary>
public enum DeviceKind
{
    /// <summary>Native C# with SIMD intrinsics, multi-threaded: the fast CPU path.</summary>
    Cpu,

    /// <summary>ILGPU kernels on ILGPU's CPU accelerator (a simulator: for testing the kernels, not for speed).</summary>
    IlgpuCpu,

    /// <summary>ILGPU kernels on an NVIDIA GPU through CUDA.</summary>
    Cuda,

    /// <summary>ILGPU kernels on an OpenCL device that ILGPU accepts (generic address space required).</summary>
    OpenCL,
}

/// <summary>What is known about one compute device, present or refused.</summary>
/// <param name="Name">Device name as the driver reports it.</param>
/// <param name="Kind">Execution path.</param>
/// <param name="Id">Name to pass to <see cref="Devices.Open"/> (for example <c>cuda:0</c>).</param>
/// <param name="MemoryBytes">Device memory in bytes (host memory for CPU paths).</param>
/// <param name="WarpSize">Threads per warp / SIMD lanes.</param>
/// <param name="MaxGroupSize">Maximum threads per group.</param>
/// <param name="RefusedBecause">Null when usable; otherwise why this engine cannot use it.</param>
public sealed record DeviceInfo(
    string Name,
    DeviceKind Kind,
    string Id,
    long MemoryBytes,
    int WarpSize,
    int MaxGroupSize,
    string? RefusedBecause = null)
{
    /// <summary>True when the engine can run on this device.</summary>
    public bool Usable => RefusedBecause is null;
}
