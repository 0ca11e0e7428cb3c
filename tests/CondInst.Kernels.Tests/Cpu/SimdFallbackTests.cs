using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// The cpu backend's paths for machines without AVX2 (Vector256 in software, scalar max pool, no FMA) are tested by
/// running the cpu op tests a second time in a process started with DOTNET_EnableAVX2=0 and DOTNET_EnableFMA=0
/// (test.sh does). This test makes that pass honest: in it, the runtime must really report no AVX2 and the backend
/// must describe itself without it; in a normal process, the description must match the instructions present.
/// </summary>
public sealed class SimdFallbackTests
{
    [Fact]
    public void TheBackendDescribesTheInstructionsItRunsWith()
    {
        using var cpu = new CpuBackend();
        string name = cpu.Device.Name;
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
        {
            Assert.False(Avx2.IsSupported, "DOTNET_EnableAVX2=0 but the runtime still reports AVX2");
            Assert.False(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 but Vector256 is still accelerated");
            Assert.DoesNotContain("AVX2", name, StringComparison.Ordinal);
            Assert.Equal(Vector128.IsHardwareAccelerated ? 4 : 1, cpu.Device.WarpSize);
        }
        else
        {
            Assert.Equal(Vector256.IsHardwareAccelerated, name.Contains("AVX2", StringComparison.Ordinal));
            Assert.Equal(Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1, cpu.Device.WarpSize);
            Assert.Equal(Fma.IsSupported, name.Contains("FMA", StringComparison.Ordinal));
        }
    }
}
