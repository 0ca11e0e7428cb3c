namespace CondInst.Kernels;

/// <summary>
/// The ILGPU backend: the kernels of <c>kernels/</c> on CUDA, OpenCL or ILGPU's CPU simulator.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Every ILGPU device present, usable or refused (with the reason).</summary>
    public static IReadOnlyList<DeviceInfo> Enumerate() => [];

    /// <summary>Opens a backend on <paramref name="device"/> (an entry of <see cref="Enumerate"/>).</summary>
    public static IBackend Open(DeviceInfo device) => throw new NotImplementedException($"ILGPU backend for {device.Id}: not implemented yet");
}
