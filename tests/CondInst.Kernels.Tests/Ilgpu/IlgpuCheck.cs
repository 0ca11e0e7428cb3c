using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>
/// The op harness for a backend instance that is not one of the shared test backends (ILGPU's 16-thread CPU
/// device): the case runs on the reference and on the given backend, outputs are compared element by
/// element, and nothing may stay allocated afterwards.
/// </summary>
internal static class IlgpuCheck
{
    public static void Run(IBackend backend, string config, Func<OpScope, Tensor[]> run, Tolerance tol)
    {
        var expected = Collect(TestBackends.Reference, run);
        long before = backend.Memory.BytesInUse;
        var actual = Collect(backend, run);
        Assert.Equal(expected.Length, actual.Length);
        for (int o = 0; o < expected.Length; o++)
        {
            string? problem = OpHarness.Compare(expected[o], actual[o], tol);
            if (problem != null) Assert.Fail($"[{backend.Device.Id}] {config}: output {o} differs from the reference: {problem}");
        }
        Assert.Equal(before, backend.Memory.BytesInUse);
    }

    private static OpHarness.Output[] Collect(IBackend backend, Func<OpScope, Tensor[]> run)
    {
        using var scope = new OpScope(backend);
        return run(scope).Select(t => OpHarness.Download(backend, t)).ToArray();
    }
}
