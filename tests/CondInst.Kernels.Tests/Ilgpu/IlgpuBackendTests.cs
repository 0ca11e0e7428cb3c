using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>
/// ILGPU-specific behaviour of the backend on the shared <c>ilgpu-cpu</c> device: discovery, device memory
/// (pool, views, zero-length tensors), deferred device-side index errors, and the sort paths the op tests do not
/// reach (more than one shared-memory block of keys).
/// </summary>
public sealed class IlgpuBackendTests
{
    private const string Id = "ilgpu-cpu";

    /// <summary>The multi-block sort cases run on every ILGPU backend present, not only the simulator.</summary>
    public static TheoryData<string> IlgpuBackends => TestBackends.Ilgpu;

    [Fact]
    public void EnumerationListsTheSimulatorAndExplainsRefusals()
    {
        var all = IlgpuBackend.Enumerate();
        var sim = Assert.Single(all, d => d.Id == Id);
        Assert.Equal(DeviceKind.IlgpuCpu, sim.Kind);
        Assert.True(sim.Usable);
        Assert.Equal(32, sim.WarpSize);
        Assert.Equal(1024, sim.MaxGroupSize);
        foreach (var d in all)
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Name));
            if (!d.Usable) Assert.False(string.IsNullOrWhiteSpace(d.RefusedBecause));
        }
        Assert.Equal(all.Count, all.Select(d => d.Id).Distinct().Count());
        Assert.Same(all, IlgpuBackend.Enumerate());
    }

    [Fact]
    public void DiscoveryFailuresBecomeRefusalsAndMissingDriversNoDevices()
    {
        Assert.Empty(IlgpuBackend.Guarded("CUDA", "cuda", DeviceKind.Cuda, () => throw new DllNotFoundException("libcuda.so")));
        Assert.Empty(IlgpuBackend.Guarded("OpenCL", "opencl", DeviceKind.OpenCL,
            () => throw new TypeInitializationException("CLAPI", new DllNotFoundException("libOpenCL.so"))));
        var failed = Assert.Single(IlgpuBackend.Guarded("CUDA", "cuda", DeviceKind.Cuda, () => throw new InvalidOperationException("driver too old")));
        Assert.False(failed.Usable);
        Assert.Equal(DeviceKind.Cuda, failed.Kind);
        Assert.Contains("driver too old", failed.RefusedBecause);
    }

    [Fact]
    public void TensorsViewsAndZeroLengthBehave()
    {
        TestBackends.With(Id, b =>
        {
            long before = b.Memory.BytesInUse;
            using (var t = b.Upload<float>([1f, 2f, 3f, 4f, 5f, 6f], 2, 3))
            {
                var row = t.Slice(1, 1).Reshape(3);
                b.Fill(row, 9f);
                var all = new float[6];
                b.Download<float>(t, all);
                Assert.Equal(new[] { 1f, 2f, 3f, 9f, 9f, 9f }, all);
                using var copy = b.Allocate(DType.Float32, 3);
                b.Copy(t.Slice(0, 1).Reshape(3), copy);
                var c = new float[3];
                b.Download<float>(copy, c);
                Assert.Equal(new[] { 1f, 2f, 3f }, c);
                row.Dispose(); // a view: does nothing
                b.Download<float>(t, all);
                Assert.Equal(9f, all[5]);
                var e = Assert.Throws<ArgumentException>(() => b.Download<int>(t, new int[6]));
                Assert.Contains("Float32", e.Message);
                e = Assert.Throws<ArgumentException>(() => b.Download<float>(t, new float[5]));
                Assert.Contains("destination holds 5", e.Message);
                t.Dispose();
                t.Dispose(); // idempotent
            }
            using (var empty = b.Upload<float>([], 0, 4))
            {
                b.Fill(empty, 1f);
                b.Unary(UnaryOp.Exp, empty, empty);
                b.Download<float>(empty, Span<float>.Empty);
                using var other = b.Allocate(DType.Float32, 4, 0);
                b.Copy(empty, other);
            }
            Assert.Equal(before, b.Memory.BytesInUse);
        });
    }

    [Fact]
    public void PoolReusesBuffersOfTheSameSize()
    {
        TestBackends.With(Id, b =>
        {
            b.Allocate(DType.Int32, 7777).Dispose();
            long allocations = b.Memory.Allocations;
            for (int i = 0; i < 3; i++) b.Allocate(DType.Float32, 7777).Dispose();
            Assert.Equal(allocations, b.Memory.Allocations);
            b.ResetPeakMemory();
            using (b.Allocate(DType.UInt8, 1000)) Assert.True(b.Memory.PeakBytesInUse >= b.Memory.BytesInUse);
        });
    }

    [Fact]
    public void BadGatherIndicesAreReportedNotRead()
    {
        TestBackends.With(Id, b =>
        {
            using var s = new OpScope(b);
            var src = s.Up(new float[2 * 3 * 4], 1, 2, 3, 4);
            var dst = s.Out(DType.Float32, 2, 2);
            b.GatherColumns(src, s.Up(new[] { 3, 12 }, 2), 2, dst, 0);
            var e = Assert.Throws<ArgumentException>(b.Synchronize);
            Assert.Contains("gather_columns", e.Message);
            b.GatherRows(dst, s.Up(new[] { -1 }, 1), 1, dst);
            e = Assert.Throws<ArgumentException>(() => b.Download<float>(dst, new float[4]));
            Assert.Contains("gather_rows", e.Message);
            // The flags were cleared: the backend keeps working.
            b.GatherColumns(src, s.Up(new[] { 11 }, 1), 1, dst, 1);
            b.Synchronize();
        });
    }

    [Theory]
    [MemberData(nameof(IlgpuBackends))]
    public void TopKBeyondOneSortBlockMatchesReference(string backend)
    {
        // About 20000 candidates; k = 5000 goes through the radix select and a multi-block bitonic sort (8192 keys).
        var rng = new Random(41);
        var x = RandomData.Floats(rng, 80 * 16 * 20, -3f, 3f);
        for (int i = 0; i + 3 < x.Length; i += 7) x[i + 3] = x[i];
        OpHarness.Check(backend, "topk k=5000 of ~20000 candidates", s =>
        {
            var idx = s.Out(DType.Int32, 5000);
            var pr = s.Out(DType.Float32, 5000);
            int m = s.B.TopKScores(s.Up(x, 1, 80, 16, 20), 0.2f, 5000, idx, pr);
            return [s.Up(new[] { m }, 1), idx.Slice(0, m), pr.Slice(0, m)];
        }, Tolerance.Exact);
    }

    [Theory]
    [MemberData(nameof(IlgpuBackends))]
    public void NmsBeyondOneSortBlockMatchesReference(string backend)
    {
        var rng = new Random(42);
        int count = 2500;
        var boxes = new float[count * 4];
        var scores = RandomData.Floats(rng, count, 0f, 1f);
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(20)).ToArray();
        for (int i = 0; i < count; i++)
        {
            float cx = rng.Next(8) * 60f + (float)rng.NextDouble() * 20f, cy = rng.Next(8) * 60f + (float)rng.NextDouble() * 20f;
            boxes[4 * i] = cx;
            boxes[4 * i + 1] = cy;
            boxes[4 * i + 2] = i % 13 == 4 ? cx : cx + 5f + (float)rng.NextDouble() * 50f;
            boxes[4 * i + 3] = cy + 5f + (float)rng.NextDouble() * 50f;
            if (i % 9 == 2 && i > 0) scores[i] = scores[i - 1];
        }
        OpHarness.Check(backend, "nms 2500 boxes, 20 classes", s =>
        {
            var keep = s.Out(DType.Int32, 1000);
            int k = s.B.Nms(s.Up(boxes, count, 4), s.Up(scores, count), s.Up(labels, count), count, 0.5f, 1000, keep);
            return [s.Up(new[] { k }, 1), keep.Slice(0, k)];
        }, Tolerance.Exact);
    }
}
