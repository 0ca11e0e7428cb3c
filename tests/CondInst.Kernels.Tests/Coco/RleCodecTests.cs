using CondInst.Kernels.Coco;
using CsCheck;

namespace CondInst.Kernels.Tests.Coco;

/// <summary>
/// Run lengths, the counts text, polygons, boxes and IoU against pycocotools' outputs (rle_reference.json), the text
/// form against examples worked by hand from pycocotools' rules, and random round trips.
/// </summary>
public sealed class RleCodecTests
{
    private static byte[] Unpack(string base64, int count)
    {
        var packed = Convert.FromBase64String(base64);
        var bits = new byte[count];
        for (int i = 0; i < count; i++) bits[i] = (byte)((packed[i / 8] >> (7 - i % 8)) & 1);
        return bits;
    }

    [Fact]
    public void EncodeMatchesMaskEncodeAreaAndToBbox()
    {
        int n = 0;
        foreach (var e in CocoData.Rle.GetProperty("encode").EnumerateArray())
        {
            int h = e.GetProperty("height").GetInt32(), w = e.GetProperty("width").GetInt32();
            var mask = Unpack(e.GetProperty("bits").GetString()!, h * w);
            var rle = RleCodec.Encode(mask, h, w);
            string expected = e.GetProperty("counts").GetString()!;
            Assert.Equal(expected, rle.ToCompressedString());
            Assert.Equal(e.GetProperty("area").GetInt64(), rle.Area);
            Assert.Equal(e.GetProperty("bbox").Doubles(), rle.ToBox());
            // And back: the text decodes to the same runs and the runs to the same mask.
            var back = RleCodec.FromCompressed(expected, h, w);
            Assert.Equal(rle.Counts.ToArray(), back.Counts.ToArray());
            Assert.Equal(mask, RleCodec.Decode(back));
            n++;
        }
        Assert.Equal(24, n);
    }

    [Fact]
    public void CountsTextMatchesExamplesWorkedByHand()
    {
        // Row-major         Column-major scan (column 0 top-down, then column 1, then column 2):
        //   0 1 0           0 0 1 | 1 1 0 | 0 1 0
        //   0 1 1           runs: 2 zeros, 3 ones, 2 zeros, 1 one, 1 zero -> counts [2, 3, 2, 1, 1]
        //   1 0 0
        // Counts 0..2 are written as they are: '2' '3' '2' (48 + value; each fits one 5-bit group with the sign
        // bit 0x10 clear). From index 3 on, the difference to the count two before:
        //   1 − 3 = −2: low 5 bits 30 (0b11110, sign bit set), rest −1 -> one group, 48 + 30 = 'N'
        //   1 − 2 = −1: low 5 bits 31, rest −1 -> 48 + 31 = 'O'
        byte[] mask = [0, 1, 0, 0, 1, 1, 1, 0, 0];
        var rle = RleCodec.Encode(mask, 3, 3);
        Assert.Equal(new uint[] { 2, 3, 2, 1, 1 }, rle.Counts.ToArray());
        Assert.Equal("232NO", rle.ToCompressedString());
        Assert.Equal(4, rle.Area);
        Assert.Equal(mask, RleCodec.Decode(RleCodec.FromCompressed("232NO", 3, 3)));
        // Any non-zero byte is foreground.
        Assert.Equal("232NO", RleCodec.Encode([0, 9, 0, 0, 255, 1, 7, 0, 0], 3, 3).ToCompressedString());

        // All zero: one run of 6 zeros. All one: an empty zero run, then 6 ones. Nothing at all: one empty run.
        Assert.Equal("6", RleCodec.Encode(new byte[6], 2, 3).ToCompressedString());
        Assert.Equal("06", RleCodec.Encode([1, 1, 1, 1, 1, 1], 2, 3).ToCompressedString());
        Assert.Equal(6, RleCodec.FromCompressed("06", 2, 3).Area);
        Assert.Equal("0", RleCodec.Encode([], 0, 0).ToCompressedString());

        // A 1 x 100 mask (one row, so column-major order is left to right): 40 zeros, 50 ones, 3 zeros, 7 ones.
        //   40 = 0b1_01000: low group 8, rest 1 -> more: 8 | 0x20 = 40 -> 'X'; then 1 -> '1'             "X1"
        //   50 = 0b1_10010: low group 18 has the sign bit, rest 1 is not −1 -> more: 18 | 0x20 = 50 -> 'b';
        //        then 1 -> '1'                                                                          "b1"
        //   3 (index 2, no difference) -> '3'
        //   7 − 50 = −43: low group −43 & 31 = 21 (sign bit set), rest −43 >> 5 = −2 ≠ −1 -> more: 21 | 0x20 = 53
        //        -> 'e'; then −2 & 31 = 30 (sign set), rest −1 -> stop: 48 + 30 = 'N'                  "eN"
        var row = new byte[100];
        for (int x = 40; x < 90; x++) row[x] = 1;
        for (int x = 93; x < 100; x++) row[x] = 1;
        Assert.Equal(new uint[] { 40, 50, 3, 7 }, RleCodec.Encode(row, 1, 100).Counts.ToArray());
        Assert.Equal("X1b13eN", RleCodec.Compress([40, 50, 3, 7]));
        Assert.Equal(row, RleCodec.Decode(RleCodec.FromCompressed("X1b13eN", 1, 100)));
        // 1000 = 0b11111_01000: groups 8 (more) 'X', 31 (sign bit set, rest 0 ≠ −1, more) 63 -> 'o', then '0'.
        Assert.Equal("Xo0", RleCodec.Compress([1000]));
        Assert.Equal(new uint[] { 1000 }, RleCodec.Decompress("Xo0"));
    }

    [Fact]
    public void RandomMasksRoundTrip()
    {
        var gen = from h in Gen.Int[1, 24]
                  from w in Gen.Int[1, 24]
                  from density in Gen.Int[0, 100]
                  from bits in Gen.Int[0, 99].Array[h * w]
                  select (h, w, bits.Select(b => b < density ? (byte)1 : (byte)0).ToArray());
        gen.Sample((h, w, mask) =>
        {
            var rle = RleCodec.Encode(mask, h, w);
            Assert.Equal(mask, RleCodec.Decode(RleCodec.FromCompressed(rle.ToCompressedString(), h, w)));
            Assert.Equal(mask.Count(b => b != 0), rle.Area);
            var counts = rle.Counts.ToArray();
            Assert.Equal(h * w, counts.Sum(c => (long)c));
            Assert.All(counts.Skip(1), c => Assert.True(c > 0)); // only the first run may be empty
        }, iter: 500);
    }

    [Fact]
    public void RandomCountsRoundTripThroughTheText()
    {
        // Large runs and large jumps between them exercise up to 7 characters per number.
        var gen = Gen.OneOf(Gen.UInt[0, 40], Gen.UInt[0, 5000], Gen.UInt).Array[1, 30];
        gen.Sample(counts => Assert.Equal(counts, RleCodec.Decompress(RleCodec.Compress(counts))), iter: 1000);
    }

    [Fact]
    public void PolygonsRasteriseAsFrPyObjectsAndMerge()
    {
        int n = 0;
        foreach (var e in CocoData.Rle.GetProperty("polygons").EnumerateArray())
        {
            int h = e.GetProperty("height").GetInt32(), w = e.GetProperty("width").GetInt32();
            var parts = e.GetProperty("polygons").EnumerateArray().Select(p => p.Doubles()).ToList();
            var rle = PolygonRasterizer.FromPolygons(parts, h, w);
            Assert.Equal(e.GetProperty("counts").GetString(), rle.ToCompressedString());
            Assert.Equal(e.GetProperty("area").GetInt64(), rle.Area);
            Assert.Equal(e.GetProperty("bbox").Doubles(), rle.ToBox());
            n++;
        }
        Assert.Equal(12, n);
    }

    [Fact]
    public void BoxesAndUncompressedCountsMatchFrPyObjects()
    {
        foreach (var e in CocoData.Rle.GetProperty("boxes").EnumerateArray())
        {
            var rle = PolygonRasterizer.FromBox(e.GetProperty("bbox").Doubles(), e.GetProperty("height").GetInt32(), e.GetProperty("width").GetInt32());
            Assert.Equal(e.GetProperty("counts").GetString(), rle.ToCompressedString());
        }
        foreach (var e in CocoData.Rle.GetProperty("uncompressed").EnumerateArray())
        {
            var counts = e.GetProperty("counts").EnumerateArray().Select(v => v.GetUInt32()).ToArray();
            Assert.Equal(e.GetProperty("compressed").GetString(), RleCodec.Compress(counts));
        }
    }

    [Fact]
    public void MaskAndBoxIouWithCrowdMatchMaskIou()
    {
        var e = CocoData.Rle.GetProperty("iou")[0];
        int h = e.GetProperty("height").GetInt32(), w = e.GetProperty("width").GetInt32();
        var dt = e.GetProperty("dt").EnumerateArray().Select(s => RleCodec.FromCompressed(s.GetString()!, h, w)).ToList();
        var gt = e.GetProperty("gt").EnumerateArray().Select(s => RleCodec.FromCompressed(s.GetString()!, h, w)).ToList();
        var crowd = e.GetProperty("iscrowd").EnumerateArray().Select(v => v.GetInt32() == 1).ToList();
        var iou = RleOps.MaskIou(dt, gt, crowd);
        var expected = e.GetProperty("iou").EnumerateArray().Select(r => r.Doubles()).ToList();
        int nonZero = 0;
        for (int d = 0; d < dt.Count; d++)
            for (int g = 0; g < gt.Count; g++)
            {
                Assert.Equal(expected[d][g], iou[g * dt.Count + d], 15);
                if (expected[d][g] > 0) nonZero++;
            }
        Assert.True(nonZero >= 3, $"only {nonZero} overlapping pairs: the case does not exercise the IoU");

        var b = CocoData.Rle.GetProperty("box_iou");
        var bd = b.GetProperty("dt").EnumerateArray().Select(x => x.Doubles()).ToList();
        var bg = b.GetProperty("gt").EnumerateArray().Select(x => x.Doubles()).ToList();
        var boxIou = RleOps.BoxIou(bd, bg, [false, true]);
        var bexp = b.GetProperty("iou").EnumerateArray().Select(r => r.Doubles()).ToList();
        for (int d = 0; d < bd.Count; d++)
            for (int g = 0; g < bg.Count; g++) Assert.Equal(bexp[d][g], boxIou[g * bd.Count + d], 15);
    }

    [Theory]
    [InlineData("0p", "'p' at 1, expected characters '0'..'o'")]
    [InlineData("R", "ends inside a number")]
    [InlineData("00O", "run 2 the length -1")]
    [InlineData("oooooooo", "number longer than 7 characters")]
    public void MalformedCountsTextIsRefusedWithTheReason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => RleCodec.Decompress(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void CountsThatDoNotCoverTheSizeAreRefused()
    {
        string text = RleCodec.Compress([3u, 4u, 5u]);
        var e = Assert.Throws<FormatException>(() => RleCodec.FromCompressed(text, 4, 4));
        Assert.Contains("cover 12 pixels, the size says 16", e.Message);
        Assert.Contains("more than the 2x3 pixels", Assert.Throws<FormatException>(() => RleCodec.Decode(new RleMask(2, 3, [4, 3]))).Message);
        Assert.Contains("mask has 5 bytes, 2x3 needs 6", Assert.Throws<ArgumentException>(() => RleCodec.Encode(new byte[5], 2, 3)).Message);
    }

    [Fact]
    public void MergeUnitesAndIntersects()
    {
        var a = RleCodec.Encode([1, 0, 0, 1, 0, 0], 2, 3); // column 0 (row-major 2x3)
        var b = RleCodec.Encode([0, 1, 0, 0, 1, 0], 2, 3); // column 1
        Assert.Equal(new uint[] { 0, 4, 2 }, RleOps.Merge([a, b]).Counts.ToArray());
        Assert.Equal(new uint[] { 6 }, RleOps.Merge([a, b], intersect: true).Counts.ToArray());
    }
}

/// <summary>The summary means are summed as numpy sums (so the printed decimals round as pycocotools').</summary>
public sealed class NumpySumTests
{
    // np.sum of a[i] = ((i * 7919) % 1000) / 997.0, printed with repr by numpy 1.24.2.
    [Theory]
    [InlineData(5, 3.199598796389167)]
    [InlineData(8, 4.746238716148445)]
    [InlineData(9, 5.099297893681043)]
    [InlineData(100, 49.19759277833499)]
    [InlineData(128, 63.8234704112337)]
    [InlineData(129, 64.45737211634905)]
    [InlineData(130, 65.01003009027082)]
    [InlineData(1000, 501.00300902708125)]
    [InlineData(4040, 2023.8916750250753)]
    [InlineData(10000, 5010.030090270812)]
    [InlineData(40400, 20240.92276830491)]
    public void SumsBitForBitAsNumpy(int n, double expected)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (i * 7919L % 1000) / 997.0;
        Assert.Equal(expected, CondInst.Kernels.Coco.NumpySum.Sum(a));
    }
}
