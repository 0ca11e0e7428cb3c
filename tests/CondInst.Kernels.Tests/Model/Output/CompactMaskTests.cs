using CondInst.Kernels.Coco;
using CondInst.Kernels.Model;
using CsCheck;

namespace CondInst.Kernels.Tests.Model.Output;

/// <summary>
/// The compact mask's run lengths, computed from its rectangle, against the COCO codec's encoding of the full mask,
/// on random masks whose foreground sits in a random rectangle (so crops of every position and width, including
/// more columns than one transpose group) and on the edge cases.
/// </summary>
public sealed class CompactMaskTests
{
    private static void AssertSameRuns(byte[] full, int width, int height)
    {
        var compact = CompactMask.FromFull(full, width, height);
        var expected = RleCodec.Encode(full, height, width);
        Assert.Equal(expected.Counts.ToArray(), compact.ToRle().Counts.ToArray());
        Assert.Equal((height, width), (compact.ToRle().Height, compact.ToRle().Width));
        Assert.Equal(full.Select(b => b != 0 ? (byte)1 : (byte)0), compact.ToFullMask());
        // One bit per pixel of the rectangle, rows padded to whole bytes; the other views read the same bits.
        Assert.Equal((long)((compact.Width + 7) / 8) * compact.Height, compact.StoredBytes);
        Assert.Equal(full.Count(b => b != 0), compact.Area);
        var row = new byte[compact.Width];
        for (int y = 0; y < compact.Height; y++)
        {
            compact.ReadRow(y, row);
            for (int x = 0; x < compact.Width; x++)
                Assert.Equal(full[(compact.Top + y) * width + compact.Left + x] != 0 ? 1 : 0, row[x]);
        }
        for (int i = 0; i < full.Length; i += 7) Assert.Equal(full[i] != 0, compact[i % width, i / width]);
    }

    [Fact]
    public void WideRowsPackThirtyTwoPixelsAtATime()
    {
        // 100 columns: three 32-pixel vector steps and a 4-pixel tail per row, any non-zero byte foreground.
        var rng = new Random(5);
        var full = new byte[100 * 6];
        for (int i = 0; i < full.Length; i++) full[i] = rng.Next(3) == 0 ? (byte)0 : (byte)rng.Next(1, 256);
        AssertSameRuns(full, 100, 6);
    }

    [Fact]
    public void RandomMasksGiveTheCodecsRuns()
    {
        var gen = from h in Gen.Int[1, 70]
                  from w in Gen.Int[1, 70]
                  from x0 in Gen.Int[0, w - 1]
                  from y0 in Gen.Int[0, h - 1]
                  from x1 in Gen.Int[x0, w - 1]
                  from y1 in Gen.Int[y0, h - 1]
                  from density in Gen.Int[0, 100]
                  from seed in Gen.Int
                  select (h, w, x0, y0, x1, y1, density, seed);
        gen.Sample(c =>
        {
            var rng = new Random(c.seed);
            var full = new byte[c.h * c.w];
            for (int y = c.y0; y <= c.y1; y++)
                for (int x = c.x0; x <= c.x1; x++)
                    full[y * c.w + x] = rng.Next(100) < c.density ? (byte)(1 + rng.Next(3)) : (byte)0; // any non-zero is foreground
            AssertSameRuns(full, c.w, c.h);
        }, iter: 600);
    }

    [Theory]
    [InlineData(1, 1, 0)]     // one background pixel
    [InlineData(1, 1, 1)]     // one foreground pixel: the runs start with an empty background run
    [InlineData(37, 5, 0)]    // empty
    [InlineData(37, 5, 1)]    // full: one rectangle of 3 transpose groups
    [InlineData(16, 16, 1)]   // exactly one group
    [InlineData(17, 3, 1)]    // one group and one column
    public void EdgeCases(int width, int height, byte fill)
    {
        var full = new byte[width * height];
        Array.Fill(full, fill);
        AssertSameRuns(full, width, height);
    }

    [Fact]
    public void ColumnsOfAlternatingValuesAndTheLastPixel()
    {
        // Every pixel a run of its own, then only the bottom-right pixel (the runs end with foreground).
        var checker = new byte[33 * 9];
        for (int i = 0; i < checker.Length; i++) checker[i] = (byte)((i / 33 + i % 33) & 1);
        AssertSameRuns(checker, 33, 9);
        var last = new byte[33 * 9];
        last[^1] = 1;
        AssertSameRuns(last, 33, 9);
        Assert.Equal(new uint[] { 33 * 9 - 1, 1 }, CompactMask.FromFull(last, 33, 9).ToRle().Counts.ToArray());
    }
}
