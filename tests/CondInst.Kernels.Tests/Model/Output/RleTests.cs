using CondInst.Kernels.Model;
using CsCheck;

namespace CondInst.Kernels.Tests.Model.Output;

/// <summary>COCO RLE against counts and strings derived by hand from pycocotools' rules, plus random round trips.</summary>
public sealed class RleTests
{
    [Fact]
    public void ThreeByThreeMask()
    {
        // Row-major         Column-major scan (column 0 top-down, then column 1, then column 2):
        //   0 1 0           0 0 1 | 1 1 0 | 0 1 0
        //   0 1 1           runs: 2 zeros, 3 ones, 2 zeros, 1 one, 1 zero -> counts [2, 3, 2, 1, 1]
        //   1 0 0
        // String: counts 0..2 are written as they are: '2' '3' '2' (48 + value; each fits one 5-bit group with the
        // sign bit 0x10 clear). From index 3 on, the difference to the count two before:
        //   1 − 3 = −2: low 5 bits 30 (0b11110, sign bit set), rest −1 -> one group, 48 + 30 = 'N'
        //   1 − 2 = −1: low 5 bits 31, rest −1 -> 48 + 31 = 'O'
        byte[] mask = [0, 1, 0, 0, 1, 1, 1, 0, 0];
        Assert.Equal(new uint[] { 2, 3, 2, 1, 1 }, Rle.EncodeCounts(mask, 3, 3));
        var rle = Rle.Encode(mask, 3, 3);
        Assert.Equal(new CocoRle(3, 3, "232NO"), rle);
        Assert.Equal(4, Rle.Area(rle));
        Assert.Equal(mask, Rle.Decode(rle));
    }

    [Fact]
    public void AllZeroAndAllOne()
    {
        // All zero: one run of 6 zeros. All one: an empty zero run, then 6 ones.
        Assert.Equal(new CocoRle(2, 3, "6"), Rle.Encode(new byte[6], 2, 3));
        Assert.Equal(new CocoRle(2, 3, "06"), Rle.Encode(new byte[] { 1, 1, 1, 1, 1, 1 }, 2, 3));
        Assert.Equal(new byte[6], Rle.Decode(new CocoRle(2, 3, "6")));
        Assert.Equal(6, Rle.Area(new CocoRle(2, 3, "06")));
        // Nothing at all: a single empty run.
        Assert.Equal(new CocoRle(0, 0, "0"), Rle.Encode([], 0, 0));
    }

    [Fact]
    public void MultiCharacterGroupsAndNegativeDifferences()
    {
        // A 1 x 100 mask (one row, so column-major order is left to right): 40 zeros, 50 ones, 3 zeros, 7 ones.
        //   40 = 0b1_01000: low group 8, rest 1 -> more: 8 | 0x20 = 40 -> 'X'; then 1 -> '1'             "X1"
        //   50 = 0b1_10010: low group 18 has the sign bit, rest 1 is not −1 -> more: 18 | 0x20 = 50 -> 'b';
        //        then 1 -> '1'                                                                          "b1"
        //   3 (index 2, no difference) -> '3'
        //   7 − 50 = −43: low group −43 & 31 = 21 (sign bit set), rest −43 >> 5 = −2 ≠ −1 -> more: 21 | 0x20 = 53
        //        -> 'e'; then −2 & 31 = 30 (sign set), rest −1 -> stop: 48 + 30 = 'N'                  "eN"
        var mask = new byte[100];
        for (int x = 40; x < 90; x++) mask[x] = 1;
        for (int x = 93; x < 100; x++) mask[x] = 1;
        Assert.Equal(new uint[] { 40, 50, 3, 7 }, Rle.EncodeCounts(mask, 1, 100));
        Assert.Equal("X1b13eN", Rle.Encode(mask, 1, 100).Counts);
        Assert.Equal(mask, Rle.Decode(new CocoRle(1, 100, "X1b13eN")));

        // 1000 = 0b11111_01000: groups 8 (more) 'X', 31 (sign bit set, rest 0 ≠ −1, more) 63 -> 'o', then '0'.
        Assert.Equal("Xo0", Rle.Encode(new byte[1000], 1, 1000).Counts);
        Assert.Equal(new uint[] { 1000 }, Rle.DecompressCounts("Xo0"));
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
            var rle = Rle.Encode(mask, h, w);
            Assert.Equal(mask, Rle.Decode(rle));
            Assert.Equal(mask.Count(b => b != 0), Rle.Area(rle));
            var counts = Rle.EncodeCounts(mask, h, w);
            Assert.Equal(h * w, counts.Sum(c => (long)c));
            Assert.All(counts.Skip(1), c => Assert.True(c > 0)); // only the first run may be empty
        }, iter: 500);
    }

    [Fact]
    public void RandomCountsRoundTripThroughTheString()
    {
        // Large runs and large jumps between them exercise up to 7 characters per number.
        var gen = Gen.OneOf(Gen.UInt[0, 40], Gen.UInt[0, 5000], Gen.UInt).Array[1, 30];
        gen.Sample(counts => Assert.Equal(counts, Rle.DecompressCounts(Rle.CompressCounts(counts))), iter: 1000);
    }

    [Fact]
    public void NonZeroBytesAreForeground()
    {
        Assert.Equal(Rle.Encode(new byte[] { 0, 1, 1, 0 }, 2, 2), Rle.Encode(new byte[] { 0, 255, 7, 0 }, 2, 2));
    }

    [Fact]
    public void MalformedInputIsRefusedClearly()
    {
        Assert.Contains("'p'", Assert.Throws<FormatException>(() => Rle.DecompressCounts("12p")).Message);
        Assert.Contains("ends inside", Assert.Throws<FormatException>(() => Rle.DecompressCounts("X")).Message); // 'X' has the continuation bit
        Assert.Contains("cover 5 pixels", Assert.Throws<FormatException>(() => Rle.Decode(new CocoRle(2, 3, "5"))).Message);
        // 'N' is −2: as the second count (no difference applies yet) it would be a negative run.
        Assert.Contains("outside", Assert.Throws<FormatException>(() => Rle.DecompressCounts("2N")).Message);
        Assert.Contains("needs 6", Assert.Throws<ArgumentException>(() => Rle.Encode(new byte[5], 2, 3)).Message);
    }
}
