using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>Max pooling and the upsampling family on every backend against the reference.</summary>
public sealed class ResampleOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    [Theory]
    [MemberData(nameof(Backends))]
    public void MaxPoolMatchesReference(string backend)
    {
        var rng = new Random(3);
        foreach (var (k, st, p, h, w) in new[] { (3, 2, 1, 20, 34), (3, 2, 1, 1, 1), (3, 2, 1, 7, 9), (2, 2, 0, 8, 6), (3, 1, 1, 5, 4), (3, 3, 0, 10, 11) })
        {
            int oh = (h + 2 * p - k) / st + 1, ow = (w + 2 * p - k) / st + 1;
            // All-negative inputs: a zero from padding would win if padding were treated as 0.
            var x = RandomData.Floats(rng, RandomData.Count(2, 3, h, w), -5f, -1f);
            OpHarness.Check(backend, $"max_pool k={k} s={st} p={p} in {h}x{w}", s =>
            {
                var y = s.Out(DType.Float32, 2, 3, oh, ow);
                s.B.MaxPool2d(s.Up(x, 2, 3, h, w), k, st, p, y);
                return [y];
            }, Tolerance.Exact);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void NearestMatchesReference(string backend)
    {
        var rng = new Random(4);
        foreach (var (h, w, oh, ow) in new[] { (4, 6, 8, 12), (13, 21, 25, 42), (7, 11, 13, 21), (5, 5, 5, 5), (6, 9, 3, 4), (1, 1, 3, 2), (3, 7, 10, 22) })
        {
            var x = RandomData.Floats(rng, RandomData.Count(1, 5, h, w));
            OpHarness.Check(backend, $"upsample_nearest {h}x{w} -> {oh}x{ow}", s =>
            {
                var y = s.Out(DType.Float32, 1, 5, oh, ow);
                s.B.UpsampleNearest(s.Up(x, 1, 5, h, w), y);
                return [y];
            }, Tolerance.Exact);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BilinearMatchesReference(string backend)
    {
        var rng = new Random(5);
        foreach (bool ac in new[] { false, true })
            foreach (var (h, w, oh, ow) in new[] { (280, 421, 300, 451), (9, 7, 20, 31), (20, 31, 9, 7), (1, 1, 4, 3), (5, 6, 1, 1), (8, 8, 8, 8) })
            {
                int n = h * w > 10000 ? 1 : 3;
                var x = RandomData.Floats(rng, RandomData.Count(n, 1, h, w), 0f, 1f);
                OpHarness.Check(backend, $"upsample_bilinear align_corners={ac} {h}x{w} -> {oh}x{ow}", s =>
                {
                    var y = s.Out(DType.Float32, n, 1, oh, ow);
                    s.B.UpsampleBilinear(s.Up(x, n, 1, h, w), y, ac);
                    return [y];
                }, new Tolerance(1e-6, 1e-7));
            }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AlignedBilinearMatchesReference(string backend)
    {
        var rng = new Random(6);
        foreach (int f in new[] { 1, 2, 4, 8 })
            foreach (var (h, w, cropH, cropW) in new[] { (9, 14, 0, 0), (1, 1, 0, 0), (5, 3, 0, 0), (36, 56, 280, 421) })
            {
                int oh = cropH > 0 ? Math.Min(cropH, f * h) : f * h, ow = cropW > 0 ? Math.Min(cropW, f * w) : f * w;
                var x = RandomData.Floats(rng, RandomData.Count(2, 2, h, w), -60f, 60f);
                OpHarness.Check(backend, $"aligned_bilinear f={f} {h}x{w} -> {oh}x{ow}", s =>
                {
                    var y = s.Out(DType.Float32, 2, 2, oh, ow);
                    s.B.AlignedBilinear(s.Up(x, 2, 2, h, w), f, y);
                    return [y];
                }, new Tolerance(1e-6, 1e-7));
            }
    }

    // The reference itself, against values written out by hand from the closed form in docs/INFERENCE.md#aligned-bilinear.
    [Fact]
    public void ReferenceAlignedBilinearFollowsTheSpecExamples()
    {
        var b = TestBackends.Reference;
        using var s = new OpScope(b);
        var x = s.Up(new float[] { 0f, 4f, 8f }, 1, 1, 1, 3);
        var y2 = s.Out(DType.Float32, 1, 1, 2, 6);
        b.AlignedBilinear(x, 2, y2);
        var o2 = new float[12];
        b.Download<float>(y2, o2);
        Assert.Equal(new float[] { 0f, 0f, 2f, 4f, 6f, 8f }, o2[..6]);
        var y4 = s.Out(DType.Float32, 1, 1, 4, 12);
        b.AlignedBilinear(x, 4, y4);
        var o4 = new float[48];
        b.Download<float>(y4, o4);
        Assert.Equal(new float[] { 0f, 0f, 0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 8f }, o4[..12]);
    }

    [Fact]
    public void ReferenceNearestUsesPyTorchIndexRule()
    {
        // 13 -> 25 (scale 0.52 as float): floor(24 * 0.52) = 12; 7 -> 13: floor(12 * 0.5384616) = 6.
        Assert.Equal(12, Reference.ReferenceBackend.NearestSources(13, 25)[24]);
        Assert.Equal(6, Reference.ReferenceBackend.NearestSources(7, 13)[12]);
        Assert.Equal(5, Reference.ReferenceBackend.NearestSources(13, 26)[11]);
    }

    // Seeded random sizes (up and down, odd, either axis alone), windows, factors and crops for every resample op.
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 3);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int c = rng.Next(1, 4), h = rng.Next(1, 16), w = rng.Next(1, 16), oh = rng.Next(1, 33), ow = rng.Next(1, 33);
            var x = RandomData.Floats(rng, RandomData.Count(1, c, h, w), -3f, 3f);
            int k = rng.Next(1, 4), st = rng.Next(1, 4), p = rng.Next(0, k / 2 + 1);
            if (h + 2 * p >= k && w + 2 * p >= k)
            {
                int ph = (h + 2 * p - k) / st + 1, pw = (w + 2 * p - k) / st + 1;
                OpHarness.Check(backend, $"random #{iter}: max_pool k={k} s={st} p={p} c={c} {h}x{w}", s =>
                {
                    var y = s.Out(DType.Float32, 1, c, ph, pw);
                    s.B.MaxPool2d(s.Up(x, 1, c, h, w), k, st, p, y);
                    return [y];
                }, Tolerance.Exact);
            }
            OpHarness.Check(backend, $"random #{iter}: upsample_nearest c={c} {h}x{w} -> {oh}x{ow}", s =>
            {
                var y = s.Out(DType.Float32, 1, c, oh, ow);
                s.B.UpsampleNearest(s.Up(x, 1, c, h, w), y);
                return [y];
            }, Tolerance.Exact);
            bool ac = rng.Next(2) == 0;
            OpHarness.Check(backend, $"random #{iter}: upsample_bilinear align_corners={ac} c={c} {h}x{w} -> {oh}x{ow}", s =>
            {
                var y = s.Out(DType.Float32, 1, c, oh, ow);
                s.B.UpsampleBilinear(s.Up(x, 1, c, h, w), y, ac);
                return [y];
            }, new Tolerance(1e-6, 1e-7));
            int f = new[] { 1, 2, 4, 8 }[rng.Next(4)], ah = rng.Next(1, f * h + 1), aw = rng.Next(1, f * w + 1);
            OpHarness.Check(backend, $"random #{iter}: aligned_bilinear f={f} c={c} {h}x{w} -> {ah}x{aw}", s =>
            {
                var y = s.Out(DType.Float32, 1, c, ah, aw);
                s.B.AlignedBilinear(s.Up(x, 1, c, h, w), f, y);
                return [y];
            }, new Tolerance(1e-6, 1e-7));
        }
    }
}
