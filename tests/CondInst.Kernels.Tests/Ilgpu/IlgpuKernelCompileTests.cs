using System.Reflection;
using CondInst.Kernels.Ilgpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>
/// Compiles every kernel to PTX (sm_90) and OpenCL C without a device, so that code the CPU simulator runs as
/// plain .NET is also known to go through ILGPU's GPU code generators; checks the GEMM keeps its register tile out
/// of local memory and reads shared memory as float4; and checks the GPU exp against correctly rounded values.
/// </summary>
public sealed class IlgpuKernelCompileTests
{
    private static readonly Type[] KernelClasses =
    [
        typeof(ElementwiseKernels), typeof(ConvKernels), typeof(ConvGemmKernels), typeof(NormKernels), typeof(ResampleKernels),
        typeof(ImageKernels), typeof(DetectionSortKernels), typeof(DetectionKernels), typeof(DetectionNmsKernels), typeof(MaskHeadKernels), typeof(MaskPasteKernels),
    ];

    /// <summary>Kernel entry points: public static void methods taking ArrayViews (Fill instantiated per dtype).</summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var m in EntryPoints()) data.Add(Name(m));
        return data;
    }

    private static string Name(MethodInfo m) =>
        m.DeclaringType!.Name + "." + m.Name + (m.IsGenericMethod ? "<" + m.GetGenericArguments()[0].Name + ">" : "");

    private static IEnumerable<MethodInfo> EntryPoints()
    {
        foreach (var t in KernelClasses)
            foreach (var m in t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                if (m.ReturnType != typeof(void) || !m.GetParameters().Any(p => p.ParameterType.IsGenericType
                    && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView<>))) continue;
                if (m.IsGenericMethodDefinition)
                    foreach (var e in new[] { typeof(float), typeof(int), typeof(byte) }) yield return m.MakeGenericMethod(e);
                else yield return m;
            }
    }

    private static MethodInfo Find(string name) => EntryPoints().Single(m => Name(m) == name);

    private static string Ptx(string name)
    {
        using var context = Context.Create(b => IlgpuBackend.ConfigureContext(b));
        var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var kernel = backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(Find(name)), new KernelSpecialization());
        return ((PTXCompiledKernel)kernel).PTXAssembly;
    }

    [Fact]
    public void EveryKernelIsListed() => Assert.True(EntryPoints().Count() >= 30, $"found only {EntryPoints().Count()} kernels");

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToPtxWithoutLocalMemory(string kernel)
    {
        string ptx = Ptx(kernel);
        Assert.Contains(".entry", ptx);
        // Register tiles and per-thread structs must stay in registers: no local (stack) memory at all.
        Assert.DoesNotContain(".local", ptx);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesToOpenCLC(string kernel)
    {
        using var context = Context.Create(b => IlgpuBackend.ConfigureContext(b));
        var caps = new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: true, subGroups: false);
        var backend = new CLBackend(context, caps, CLDeviceVendor.Other, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(Find(kernel)), new KernelSpecialization());
        Assert.Contains("kernel", compiled.Source);
    }

    [Fact]
    public void GemmInnerLoopReadsSharedMemoryAsFloat4()
    {
        string ptx = Ptx("ConvGemmKernels.Gemm");
        // Four k steps per unrolled iteration, two A and two B float4 reads each.
        Assert.Equal(16, ptx.Split("ld.shared.v4.f32").Length - 1);
        Assert.Contains(".shared .align 16", ptx);
    }

    [Fact]
    public void GpuExpIsCorrectlyRounded()
    {
        var rng = new Random(31);
        for (int i = 0; i < 200_000; i++)
        {
            float x = (float)(rng.NextDouble() * 210 - 105);
            float expected = (float)Math.Exp(x);
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(KernelMath.ExpAccurate(x)));
        }
        Assert.Equal(float.PositiveInfinity, KernelMath.ExpAccurate(89f));
        Assert.Equal(0f, KernelMath.ExpAccurate(-105f));
        Assert.True(float.IsNaN(KernelMath.ExpAccurate(float.NaN)));
        Assert.Equal(1f, KernelMath.ExpAccurate(0f));
    }

    [Fact]
    public void SortKeysRoundTripAndOrder()
    {
        float[] values = [0.9f, 0.1f, -3f, 0f, -0f, 1e-30f, float.MaxValue, -float.MaxValue];
        foreach (float v in values)
        {
            ulong key = KernelMath.DescendingKey(v, 12345);
            Assert.Equal(BitConverter.SingleToInt32Bits(v), BitConverter.SingleToInt32Bits(KernelMath.KeyValue(key)));
            Assert.Equal(12345, KernelMath.KeyIndex(key));
        }
        var sorted = values.Select((v, i) => (v, i)).OrderBy(p => KernelMath.DescendingKey(p.v, p.i)).Select(p => p.v).ToArray();
        Assert.Equal(values.OrderByDescending(v => v).ToArray(), sorted);
        Assert.True(KernelMath.DescendingKey(0.5f, 3) < KernelMath.DescendingKey(0.5f, 4));
    }
}
