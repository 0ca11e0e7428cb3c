using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>Pillow-equal resize and normalise/pad on every backend against the reference.</summary>
public sealed class ImageOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    [Theory]
    [MemberData(nameof(Backends))]
    public void PillowResizeMatchesReference(string backend)
    {
        var rng = new Random(7);
        var sizes = new (int H, int W, int OH, int OW, int C)[]
        {
            (300, 451, 280, 421, 3), // the fixture's downscale
            (20, 30, 45, 61, 3),     // upscale both axes
            (40, 40, 40, 17, 3),     // width only
            (40, 40, 9, 40, 1),      // height only, one channel
            (1, 1, 5, 3, 4),         // from a single pixel, four channels
            (97, 13, 3, 1, 3),       // heavy downscale to one column
            (17, 19, 17, 19, 3),     // identity
        };
        foreach (var c in sizes)
        {
            var x = RandomData.Bytes(rng, RandomData.Count(c.H, c.W, c.C));
            OpHarness.Check(backend, $"resize_pillow {c.H}x{c.W}x{c.C} -> {c.OH}x{c.OW}", s =>
            {
                var y = s.Out(DType.UInt8, c.OH, c.OW, c.C);
                s.B.ResizePillowBilinear(s.Up(x, c.H, c.W, c.C), y);
                return [y];
            }, Tolerance.Exact);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void NormalizePadMatchesReference(string backend)
    {
        var rng = new Random(8);
        float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
        foreach (var (h, w, ph, pw, rev) in new[] { (280, 421, 288, 448, true), (32, 32, 32, 32, false), (1, 1, 32, 32, true), (5, 7, 5, 7, true) })
        {
            var x = RandomData.Bytes(rng, RandomData.Count(h, w, 3));
            OpHarness.Check(backend, $"normalize_pad {h}x{w} -> {ph}x{pw} reverse={rev}", s =>
            {
                var y = s.Out(DType.Float32, 1, 3, ph, pw);
                s.B.NormalizePad(s.Up(x, h, w, 3), y, mean, std, rev);
                return [y];
            }, Tolerance.Exact);
        }
    }

    // Seeded random image sizes, channel counts, targets (up, down, one axis, odd) and paddings.
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 4);
        float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int h = rng.Next(1, 40), w = rng.Next(1, 40), c = new[] { 1, 3, 4 }[rng.Next(3)];
            int oh = rng.Next(3) == 0 ? h : rng.Next(1, 50), ow = rng.Next(3) == 0 ? w : rng.Next(1, 50);
            var x = RandomData.Bytes(rng, RandomData.Count(h, w, c));
            OpHarness.Check(backend, $"random #{iter}: resize_pillow {h}x{w}x{c} -> {oh}x{ow}", s =>
            {
                var y = s.Out(DType.UInt8, oh, ow, c);
                s.B.ResizePillowBilinear(s.Up(x, h, w, c), y);
                return [y];
            }, Tolerance.Exact);
            int ph = h + rng.Next(0, 9), pw = w + rng.Next(0, 9);
            bool rev = rng.Next(2) == 0;
            var rgb = RandomData.Bytes(rng, RandomData.Count(h, w, 3));
            OpHarness.Check(backend, $"random #{iter}: normalize_pad {h}x{w} -> {ph}x{pw} reverse={rev}", s =>
            {
                var y = s.Out(DType.Float32, 1, 3, ph, pw);
                s.B.NormalizePad(s.Up(rgb, h, w, 3), y, mean, std, rev);
                return [y];
            }, Tolerance.Exact);
        }
    }
}
