using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Reference;

/// <summary>
/// The resampling ops against values worked out by hand from the formulas (PyTorch's interpolate, mmdetection's
/// aligned_bilinear, Pillow's BILINEAR resize; docs/INFERENCE.md), on the reference and on every backend, so an
/// error that the reference and a backend shared would still fail here. Upscale and downscale, odd sizes, both
/// axes: each 2-D case varies along one axis only or is linear in both, so its value at every pixel follows from
/// the per-axis numbers written below.
/// </summary>
public sealed class HandComputedTests
{
    public static TheoryData<string> Backends => TestBackends.Models;

    // x[i, j] = 100·i + j: any (bi)linear interpolation of it is 100·(source row) + (source column).
    private static float[] Ramp(int h, int w) => Enumerable.Range(0, h * w).Select(k => 100f * (k / w) + k % w).ToArray();

    private static float[] Outer(float[] rows, float[] cols) => rows.SelectMany(r => cols.Select(c => 100f * r + c)).ToArray();

    private static float[] Run(string backend, float[] x, int h, int w, int oh, int ow, Action<IBackend, Tensor, Tensor> op)
    {
        float[] y = [];
        TestBackends.With(backend, b =>
        {
            using var scope = new OpScope(b);
            var output = scope.Out(DType.Float32, 1, 1, oh, ow);
            op(b, scope.Up(x, 1, 1, h, w), output);
            y = OpHarness.Download(b, output).Values.Select(v => (float)v).ToArray();
        });
        return y;
    }

    private static void Near(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, found {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void NearestTakesFloorOfDstTimesInOverOut(string backend)
    {
        // Rows 3 -> 7: floor(d·3/7) for d = 0..6 = 0 0 0 1 1 2 2. Columns 5 -> 3: floor(d·5/3) = 0 1 3.
        var y = Run(backend, Ramp(3, 5), 3, 5, 7, 3, (b, x, o) => b.UpsampleNearest(x, o));
        Near(Outer([0, 0, 0, 1, 1, 2, 2], [0, 1, 3]), y);
        // Rows 5 -> 2: floor(d·2.5) = 0 2. Columns 3 -> 5: floor(d·0.6) = 0 0 1 1 2.
        y = Run(backend, Ramp(5, 3), 5, 3, 2, 5, (b, x, o) => b.UpsampleNearest(x, o));
        Near(Outer([0, 2], [0, 0, 1, 1, 2]), y);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BilinearHalfPixelSources(string backend)
    {
        // align_corners=False, src = max((d + 0.5)·in/out - 0.5, 0), the last sample repeated past the end.
        // Rows 3 -> 5 (ratio 0.6): -0.2 -> 0, 0.4, 1.0, 1.6, 2.2 -> 2 (clamped at the last row).
        // Columns 5 -> 3 (ratio 5/3): 1/3, 2, 11/3.
        var y = Run(backend, Ramp(3, 5), 3, 5, 5, 3, (b, x, o) => b.UpsampleBilinear(x, o, alignCorners: false));
        Near(Outer([0, 0.4f, 1, 1.6f, 2], [1 / 3f, 2, 11 / 3f]), y);
        // Rows 4 -> 1 (ratio 4): 1.5. Columns 2 -> 7 (ratio 2/7): (d + 0.5)·2/7 - 0.5 = -5/14 and -1/14 -> 0, then
        // 3/14, 1/2, 11/14, then 15/14 and 19/14 read the last column -> 1.
        y = Run(backend, Ramp(4, 2), 4, 2, 1, 7, (b, x, o) => b.UpsampleBilinear(x, o, alignCorners: false));
        Near(Outer([1.5f], [0, 0, 3 / 14f, 0.5f, 11 / 14f, 1, 1]), y);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BilinearAlignCornersSources(string backend)
    {
        // align_corners=True, src = d·(in - 1)/(out - 1). Rows 3 -> 5: 0, 0.5, 1, 1.5, 2. Columns 5 -> 3: 0, 2, 4.
        var y = Run(backend, Ramp(3, 5), 3, 5, 5, 3, (b, x, o) => b.UpsampleBilinear(x, o, alignCorners: true));
        Near(Outer([0, 0.5f, 1, 1.5f, 2], [0, 2, 4]), y);
        // Rows 4 -> 1: a single output takes source 0. Columns 2 -> 7: d/6.
        y = Run(backend, Ramp(4, 2), 4, 2, 1, 7, (b, x, o) => b.UpsampleBilinear(x, o, alignCorners: true));
        Near(Outer([0], [0, 1 / 6f, 2 / 6f, 0.5f, 4 / 6f, 5 / 6f, 1]), y);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AlignedBilinearShiftsByHalfTheFactor(string backend)
    {
        // Output index Y reads source (max(Y - f/2, 0))/f, clamped to the last sample.
        // f = 2, rows 3 -> 6: 0, 0, 0.5, 1, 1.5, 2. f = 2, columns 5 -> 10: 0, 0, 0.5, 1, ..., 4.
        var y = Run(backend, Ramp(3, 5), 3, 5, 6, 10, (b, x, o) => b.AlignedBilinear(x, 2, o));
        Near(Outer([0, 0, 0.5f, 1, 1.5f, 2], [0, 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4]), y);
        // f = 4, rows 1 -> 4: one sample, constant. Columns 3 -> 12: u = 0 0 0 1 2 3 4 5 6 7 8 9, u/4 clamped to 2.
        y = Run(backend, Ramp(1, 3), 1, 3, 4, 12, (b, x, o) => b.AlignedBilinear(x, 4, o));
        float[] cols = [0, 0, 0, 0.25f, 0.5f, 0.75f, 1, 1.25f, 1.5f, 1.75f, 2, 2];
        Near(Outer([0, 0, 0, 0], cols), y);
        // Cropped: only the top-left 3 x 5 of the f = 4 result of a 2 x 3 input.
        y = Run(backend, Ramp(2, 3), 2, 3, 3, 5, (b, x, o) => b.AlignedBilinear(x, 4, o));
        Near(Outer([0, 0, 0], cols[..5]), y);
    }

    private static byte[] Pillow(string backend, byte[] x, int h, int w, int c, int oh, int ow)
    {
        byte[] y = new byte[oh * ow * c];
        TestBackends.With(backend, b =>
        {
            using var scope = new OpScope(b);
            var output = scope.Out(DType.UInt8, oh, ow, c);
            b.ResizePillowBilinear(scope.Up(x, h, w, c), output);
            b.Download<byte>(output, y);
        });
        return y;
    }

    // A 2-D image whose every row (or column) is `line`, with c identical channels.
    private static byte[] Lines(byte[] line, int count, bool alongX, int c)
    {
        int n = line.Length, h = alongX ? count : n, w = alongX ? n : count;
        var img = new byte[h * w * c];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                for (int ch = 0; ch < c; ch++) img[(i * w + j) * c + ch] = line[alongX ? j : i];
        return img;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void PillowDownscalesWithAStretchedTriangle(string backend)
    {
        // 5 -> 2 (scale 2.5, support 2.5). Output 0: centre 1.25, sources 0..3 at distances |i + 0.5 - 1.25|/2.5 =
        // 0.3, 0.1, 0.5, 0.9 -> weights 0.7, 0.9, 0.5, 0.1 (/2.2). Output 1: centre 3.75, sources 1..4, weights 0.1,
        // 0.5, 0.9, 0.7 (/2.2). On 0 22 44 66 88: (22·9 + 44·5 + 66)/22 = 22 and (22 + 44·5 + 66·9 + 88·7)/22 = 66.
        byte[] line = [0, 22, 44, 66, 88];
        // Along x (3 rows, 5 -> 2 columns), 3 channels: every row is 22 66.
        var y = Pillow(backend, Lines(line, 3, alongX: true, 3), 3, 5, 3, 3, 2);
        Assert.Equal(Lines([22, 66], 3, alongX: true, 3), y);
        // Along y (5 -> 2 rows, 3 columns): every column is 22 66.
        y = Pillow(backend, Lines(line, 3, alongX: false, 1), 5, 3, 1, 2, 3);
        Assert.Equal(Lines([22, 66], 3, alongX: false, 1), y);
        // 6 -> 2 (scale 3): output 0 weights 2/3, 1, 2/3, 1/3, 0 (/ 8/3) on 0 30 60 90 120 = 37.5, rounded half up
        // to 38; output 1 weights 1/3, 2/3, 1, 2/3 on 60..150 = 112.5 -> 113.
        y = Pillow(backend, Lines([0, 30, 60, 90, 120, 150], 1, alongX: true, 1), 1, 6, 1, 1, 2);
        Assert.Equal([38, 113], y);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void PillowUpscalesHalfPixelLinear(string backend)
    {
        // 3 -> 5 (scale 0.6, support 1): centres 0.3, 0.9, 1.5, 2.1, 2.7; output 1 = 0.6·0 + 0.4·50 = 20, output 3 =
        // 0.4·50 + 0.6·100 = 80; the ends take one source each.
        byte[] line = [0, 50, 100];
        var y = Pillow(backend, Lines(line, 2, alongX: true, 1), 2, 3, 1, 2, 5);
        Assert.Equal(Lines([0, 20, 50, 80, 100], 2, alongX: true, 1), y);
        y = Pillow(backend, Lines(line, 4, alongX: false, 3), 3, 4, 3, 5, 4);
        Assert.Equal(Lines([0, 20, 50, 80, 100], 4, alongX: false, 3), y);
        // 2 -> 4: centres 0.25 .. 1.75: 0, 25, 75, 100.
        y = Pillow(backend, Lines([0, 100], 1, alongX: true, 1), 1, 2, 1, 1, 4);
        Assert.Equal([0, 25, 75, 100], y);
    }
}
