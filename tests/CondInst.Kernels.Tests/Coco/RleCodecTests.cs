using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Tests.Coco;

/// <summary>Run lengths, the counts text, polygons, boxes and IoU against pycocotools' outputs (rle_reference.json).</summary>
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
