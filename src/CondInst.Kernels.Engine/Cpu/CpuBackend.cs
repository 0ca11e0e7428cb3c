namespace CondInst.Kernels;

/// <summary>
/// The native CPU backend: every operation written with System.Runtime.Intrinsics (Vector256 + FMA where the
/// processor has them, Vector128 / scalar otherwise) and spread over all cores. Operation families live in
/// the partial files <c>CpuBackend.*.cs</c>.
/// </summary>
public sealed partial class CpuBackend : HostBackend
{
    /// <summary>Creates the backend.</summary>
    public CpuBackend() : base(Describe())
    {
    }

    /// <summary>The native CPU as a <see cref="DeviceInfo"/>.</summary>
    public static DeviceInfo Describe()
    {
        int lanes = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 4 : 1;
        bool wide = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated, fma = System.Runtime.Intrinsics.X86.Fma.IsSupported;
        string features = (wide ? "AVX2" : lanes == 4 ? "SIMD128" : "scalar") + (fma ? "+FMA" : "");
        return new DeviceInfo($"native CPU ({Environment.ProcessorCount} threads, {features})", DeviceKind.Cpu, "cpu",
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, lanes, Environment.ProcessorCount);
    }
}
