using CondInst.Kernels.Tests.Harness;
using ILGPU.Runtime.CPU;

namespace CondInst.Kernels.Tests.Ilgpu;

/// <summary>ILGPU's default CPU device (at most 16 threads per group, warp 4): one backend for the class.</summary>
public sealed class SmallGroupBackend : IDisposable
{
    internal IlgpuBackend Backend { get; } = IlgpuBackend.OpenCpu(CPUDeviceKind.Default);

    public void Dispose() => Backend.Dispose();
}

/// <summary>
/// Op cases on groups of only 16 threads: every kernel must pick its group size from the device limits
/// (grid-stride loops, reductions and sorts for any power-of-two group), and the tiled GEMM, which needs 256
/// threads, must step aside for the direct convolution. Row <c>ilgpu-cpu</c> uses ILGPU's default CPU device,
/// whose groups really hold 16 threads; the OpenCL and CUDA rows cap the shared backend's groups at 16
/// (<see cref="IlgpuBackend.GroupLimit"/>), so the same code paths also run on real devices.
/// </summary>
public sealed class IlgpuSmallGroupTests(SmallGroupBackend fixture) : IClassFixture<SmallGroupBackend>
{
    private const int Small = 16;
    private readonly IlgpuBackend _cpu16 = fixture.Backend;

    public static TheoryData<string> Backends => TestBackends.Ilgpu;

    private void OnSmallGroups(string backend, Action<IlgpuBackend> body)
    {
        if (backend == "ilgpu-cpu")
        {
            lock (_cpu16) body(_cpu16);
            return;
        }
        TestBackends.With(backend, b =>
        {
            var ib = (IlgpuBackend)b;
            ib.GroupLimit = Small;
            try
            {
                body(ib);
            }
            finally
            {
                ib.GroupLimit = null;
            }
        });
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DeviceReallyHasSmallGroups(string backend) => OnSmallGroups(backend, b =>
    {
        if (backend == "ilgpu-cpu") Assert.Equal(Small, b.Device.MaxGroupSize);
        Assert.Equal(Small, b.GroupSize(256));
    });

    [Theory]
    [MemberData(nameof(Backends))]
    public void ConvolutionFallsBackToDirectAndMatches(string backend) => OnSmallGroups(backend, b =>
    {
        var rng = new Random(21);
        var spec = ConvSpec.Square(17, 33, 3, pad: 1);
        var x = RandomData.Floats(rng, 2 * 17 * 9 * 7);
        var w = RandomData.Floats(rng, spec.WeightCount);
        var bias = RandomData.Floats(rng, 33);
        var res = RandomData.Floats(rng, 2 * 33 * 9 * 7);
        IlgpuCheck.Run(b, "conv 17->33 3x3 on 16-thread groups", s =>
        {
            var conv = s.Track(s.B.PrepareConv(spec, w, bias, []));
            var y = s.Out(DType.Float32, 2, 33, 9, 7);
            s.B.Conv2d(conv, s.Up(x, 2, 17, 9, 7), y, s.Up(res, 2, 33, 9, 7), relu: true);
            return [y];
        }, Tolerance.Reordered);
        b.ForceConvPath = ConvPath.Gemm;
        try
        {
            var e = Assert.Throws<ArgumentException>(() => b.PrepareConv(spec, w, bias, []));
            Assert.Contains("256-thread groups", e.Message);
        }
        finally
        {
            b.ForceConvPath = null;
        }
    });

    [Theory]
    [MemberData(nameof(Backends))]
    public void GroupNormReducesWithSixteenThreads(string backend) => OnSmallGroups(backend, b =>
    {
        var rng = new Random(22);
        var x = RandomData.Floats(rng, 2 * 24 * 9 * 11, 999.99f, 1000.01f);
        var gamma = RandomData.Floats(rng, 24, 0.5f, 1.5f);
        var beta = RandomData.Floats(rng, 24);
        IlgpuCheck.Run(b, "group_norm 24ch/3 groups, mean 1000, spread 0.01", s =>
        {
            var xt = s.Up(x, 2, 24, 9, 11);
            s.B.GroupNorm(xt, s.Up(gamma, 24), s.Up(beta, 24), 3, 1e-5f, true, xt);
            return [xt];
        }, new Tolerance(1e-4, 2e-5));
    });

    [Theory]
    [MemberData(nameof(Backends))]
    public void TopKSelectsAndSortsWithSixteenThreads(string backend) => OnSmallGroups(backend, b =>
    {
        var rng = new Random(23);
        var x = RandomData.Floats(rng, 20 * 11 * 13, -4f, 1f);
        for (int i = 0; i + 5 < x.Length; i += 9) x[i + 5] = x[i];
        foreach (int k in new[] { 50, 5000 })
            IlgpuCheck.Run(b, $"topk k={k} on 16-thread groups", s =>
            {
                var idx = s.Out(DType.Int32, k);
                var pr = s.Out(DType.Float32, k);
                int m = s.B.TopKScores(s.Up(x, 1, 20, 11, 13), 0.1f, k, idx, pr);
                return [s.Up(new[] { m }, 1), idx.Slice(0, m), pr.Slice(0, m)];
            }, Tolerance.Exact);
    });

    [Theory]
    [MemberData(nameof(Backends))]
    public void NmsMatchesWithSixteenThreads(string backend) => OnSmallGroups(backend, b =>
    {
        var rng = new Random(24);
        int count = 150;
        var boxes = new float[count * 4];
        var scores = RandomData.Floats(rng, count, 0f, 1f);
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(3)).ToArray();
        for (int i = 0; i < count; i++)
        {
            float cx = rng.Next(3) * 40f + (float)rng.NextDouble() * 8f, cy = rng.Next(3) * 40f + (float)rng.NextDouble() * 8f;
            boxes[4 * i] = cx;
            boxes[4 * i + 1] = cy;
            boxes[4 * i + 2] = cx + 10f + (float)rng.NextDouble() * 30f;
            boxes[4 * i + 3] = cy + 10f + (float)rng.NextDouble() * 30f;
        }
        IlgpuCheck.Run(b, "nms 150 boxes on 16-thread groups", s =>
        {
            var keep = s.Out(DType.Int32, count);
            int k = s.B.Nms(s.Up(boxes, count, 4), s.Up(scores, count), s.Up(labels, count), count, 0.5f, 100, keep);
            return [s.Up(new[] { k }, 1), keep.Slice(0, k)];
        }, Tolerance.Exact);
    });

    [Theory]
    [MemberData(nameof(Backends))]
    public void MaskHeadResizeAndElementwiseMatchWithSixteenThreads(string backend) => OnSmallGroups(backend, b =>
    {
        var rng = new Random(25);
        var feat = RandomData.Floats(rng, 8 * 10 * 13, -2f, 2f);
        var prm = RandomData.Floats(rng, 5 * 169);
        var inst = Enumerable.Range(0, 5).SelectMany(_ => new[] { (float)rng.NextDouble() * 100f, (float)rng.NextDouble() * 80f, 16f }).ToArray();
        IlgpuCheck.Run(b, "dynamic_mask_head n=5 10x13", s =>
        {
            var y = s.Out(DType.Float32, 5, 1, 10, 13);
            s.B.DynamicMaskHead(s.Up(feat, 1, 8, 10, 13), s.Up(prm, 5, 169), s.Up(inst, 5, 3), 8f, 8f, y);
            return [y];
        }, new Tolerance(1e-5, 1e-5));
        var img = RandomData.Bytes(rng, 31 * 45 * 3);
        IlgpuCheck.Run(b, "resize_pillow 31x45 -> 17x60", s =>
        {
            var y = s.Out(DType.UInt8, 17, 60, 3);
            s.B.ResizePillowBilinear(s.Up(img, 31, 45, 3), y);
            return [y];
        }, Tolerance.Exact);
        var v = RandomData.Floats(rng, 3 * 7 * 9, -5f, 5f);
        IlgpuCheck.Run(b, "bilinear 7x9 -> 20x13, sigmoid, add", s =>
        {
            var up = s.Out(DType.Float32, 1, 3, 20, 13);
            s.B.UpsampleBilinear(s.Up(v, 1, 3, 7, 9), up, alignCorners: false);
            var sig = s.Out(DType.Float32, 1, 3, 20, 13);
            s.B.Unary(UnaryOp.Sigmoid, up, sig);
            s.B.Add(sig, up, sig);
            return [up, sig];
        }, new Tolerance(2e-6, 1e-7));
    });
}
