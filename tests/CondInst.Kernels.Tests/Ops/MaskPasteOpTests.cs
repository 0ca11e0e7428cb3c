using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Ops;

/// <summary>The fused mask paste on every backend against the reference's unfused chain, bit for bit.</summary>
public sealed class MaskPasteOpTests
{
    public static TheoryData<string> Backends => TestBackends.All;

    // Mask-like probabilities: a sharp disc per instance (saturated inside and outside, a thin ramp across the edge)
    // with a patch of uniform noise, so that both skipped and computed blocks occur.
    private static float[] MaskLike(Random rng, int n, int h, int w)
    {
        var p = new float[n * h * w];
        for (int i = 0; i < n; i++)
        {
            double cy = rng.NextDouble() * h, cx = rng.NextDouble() * w, r = (0.2 + 0.3 * rng.NextDouble()) * Math.Min(h, w);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double d = Math.Sqrt((y - cy) * (y - cy) + (x - cx) * (x - cx)) - r;
                    float v = (float)(1 / (1 + Math.Exp(4 * d)));
                    if (y < h / 4 && x > w / 2) v = (float)rng.NextDouble();
                    p[(i * h + y) * w + x] = v;
                }
        }
        return p;
    }

    private static void Check(string backend, string config, float[] probs, int n, int h4, int w4, int factor, int cropH, int cropW, int oh, int ow, float threshold)
    {
        OpHarness.Check(backend, $"paste_masks {config} f={factor} {h4}x{w4} crop {cropH}x{cropW} -> {oh}x{ow} thr {threshold}", s =>
        {
            var masks = s.Out(DType.UInt8, n, oh, ow);
            s.B.PasteMasks(s.Up(probs, n, 1, h4, w4), factor, cropH, cropW, threshold, masks);
            return [masks];
        }, Tolerance.Exact);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void MatchesTheUnfusedChain(string backend)
    {
        var rng = new Random(21);
        // (h4, w4, factor, cropH, cropW, original H, W): same size, upscale, downscale, odd sizes, several 64-column
        // blocks with partial tails, the model's factor 4 and the others the chain supports.
        foreach (var (h4, w4, f, ch, cw, oh, ow) in new[]
        {
            (20, 36, 4, 77, 141, 77, 141), (20, 36, 4, 80, 144, 120, 203), (20, 36, 4, 71, 139, 40, 70),
            (13, 9, 4, 50, 33, 131, 97), (8, 40, 2, 15, 77, 15, 77), (8, 40, 8, 60, 300, 45, 333),
            (17, 29, 1, 17, 25, 40, 70), (3, 3, 4, 9, 11, 1, 1), (1, 1, 4, 1, 1, 5, 3), (6, 70, 4, 24, 280, 24, 280),
        })
        {
            var p = MaskLike(rng, 3, h4, w4);
            Check(backend, "mask-like", p, 3, h4, w4, f, ch, cw, oh, ow, 0.5f);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ThresholdsAndSpecialValues(string backend)
    {
        var rng = new Random(22);
        int h4 = 12, w4 = 40;
        var p = MaskLike(rng, 2, h4, w4);
        // Values at and right around the skip margins, NaN, infinities and huge values in otherwise clear regions.
        float t = 0.5f;
        float[] special = [t, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(t) + 1), BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(t) - 1),
            t * (1f - 1f / 4096), t * (1f + 1f / 4096), float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 0f, -0f, 1f];
        for (int i = 0; i < special.Length; i++) p[(i % 2) * h4 * w4 + (2 + i / 2 % 10) * w4 + 3 + 3 * i] = special[i];
        foreach (float thr in new[] { 0.5f, 0f, -0.25f, 1e-30f, 0.99f, float.NaN })
        {
            Check(backend, "special values", p, 2, h4, w4, 4, 45, 157, 45, 157, thr);
            Check(backend, "special values", p, 2, h4, w4, 4, 48, 160, 70, 99, thr);
        }
        Check(backend, "special values", p, 2, h4, w4, 1, 12, 40, 31, 77, 0.5f);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ValuesWithinAHairOfTheThreshold(string backend)
    {
        // Tiles of 4x4 probabilities all just below, all just above, or straddling the threshold by a few ulp to
        // 2^-10 relative: a skip margin that was too generous (or on the wrong side) flips pixels here.
        var rng = new Random(24);
        int h4 = 16, w4 = 48;
        var p = new float[2 * h4 * w4];
        for (int i = 0; i < p.Length; i++)
        {
            int tile = (i / w4 / 4) * 97 + (i % w4) / 4;
            int kind = (tile * 7 + i / (h4 * w4)) % 3;
            double rel = Math.ScaleB(rng.NextDouble(), -rng.Next(10, 24));
            p[i] = (float)(0.5 * (1 + (kind == 0 ? -rel : kind == 1 ? rel : rng.Next(2) == 0 ? -rel : rel)));
        }
        Check(backend, "near threshold", p, 2, h4, w4, 4, 61, 190, 61, 190, 0.5f);
        Check(backend, "near threshold", p, 2, h4, w4, 4, 64, 192, 100, 250, 0.5f);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ModelSizedCase(string backend)
    {
        // R-50 geometry scaled down: a 333x500 original resized to 533x800... kept small: 84x125 -> 133x200 padded 136x200.
        var rng = new Random(23);
        int h4 = 34, w4 = 50;
        var p = MaskLike(rng, 4, h4, w4);
        Check(backend, "model-like", p, 4, h4, w4, 4, 133, 200, 84, 125, 0.5f);
        Check(backend, "model-like", p, 4, h4, w4, 4, 133, 200, 133, 200, 0.5f);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var b = TestBackends.Reference;
        using var s = new OpScope(b);
        var probs = s.Up(new float[2 * 4 * 5], 2, 1, 4, 5);
        var masks = s.Out(DType.UInt8, 2, 10, 10);
        var e = Assert.Throws<ArgumentException>(() => b.PasteMasks(probs, 4, 17, 20, 0.5f, masks));
        Assert.Contains("crop 17x20", e.Message);
        Assert.Throws<ArgumentException>(() => b.PasteMasks(probs, 4, 0, 20, 0.5f, masks));
        Assert.Throws<ArgumentException>(() => b.PasteMasks(probs, 0, 4, 5, 0.5f, masks));
        Assert.Contains("one mask per instance", Assert.Throws<ArgumentException>(() => b.PasteMasks(probs, 4, 16, 20, 0.5f, s.Out(DType.UInt8, 3, 10, 10))).Message);
        Assert.Contains("masks must be uint8", Assert.Throws<ArgumentException>(() => b.PasteMasks(probs, 4, 16, 20, 0.5f, s.Out(DType.Float32, 2, 10, 10))).Message);
    }

    // Seeded random instance counts, logit sizes, factors, crops and original sizes (up and down).
    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomShapesMatchReference(string backend)
    {
        var rng = new Random(RandomShapes.Seed + 6);
        for (int iter = 0; iter < RandomShapes.Iterations; iter++)
        {
            int n = rng.Next(1, 4), h4 = rng.Next(1, 13), w4 = rng.Next(1, 13), f = new[] { 1, 2, 4, 8 }[rng.Next(4)];
            int ch = rng.Next(1, f * h4 + 1), cw = rng.Next(1, f * w4 + 1), oh = rng.Next(1, 60), ow = rng.Next(1, 60);
            Check(backend, $"random #{iter}", MaskLike(rng, n, h4, w4), n, h4, w4, f, ch, cw, oh, ow, 0.5f);
        }
    }
}
