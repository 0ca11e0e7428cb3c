using System.Text;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

public sealed class SafetensorsBadHeaderTests
{
    private static byte[] File(string header, int dataBytes, ulong? declaredSize = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BitConverter.GetBytes(declaredSize ?? (ulong)h.Length).CopyTo(bytes, 0);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static ImporterException Refused(byte[] bytes) =>
        Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(bytes, "bad.safetensors").Dispose());

    [Fact]
    public void OutOfRangeOffsets()
    {
        var e = Refused(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("'a'", e.Message);
        Assert.Contains("[0, 16)", e.Message);
        Assert.Contains("<= 8", e.Message);
    }

    [Fact]
    public void OverlappingOffsets()
    {
        var e = Refused(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("'b' data_offsets [4, 12) overlap tensor 'a' [0, 8)", e.Message);
    }

    [Fact]
    public void HeaderLargerThanFile()
    {
        var e = Refused(File("{}", 0, declaredSize: 1_000_000));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("offset 0", e.Message);
        Assert.Contains("header size 1000000 is larger than the 2 bytes after it", e.Message);
    }

    [Fact]
    public void HoleInData()
    {
        var e = Refused(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        Assert.Contains("data bytes [0, 4) belong to no tensor", e.Message);
    }

    [Fact]
    public void TrailingDataNotCovered()
    {
        var e = Refused(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12));
        Assert.Contains("cover 4 bytes", e.Message);
        Assert.Contains("has 12 bytes", e.Message);
    }

    [Fact]
    public void ShapeInconsistentWithLength()
    {
        var e = Refused(File("{\"a\":{\"dtype\":\"F16\",\"shape\":[3,3],\"data_offsets\":[0,8]}}", 8));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("shape [3, 3] of F16 needs 18 bytes but data_offsets [0, 8) hold 8", e.Message);
    }

    [Fact]
    public void UnsupportedDtypeDuplicateKeyAndBadJson()
    {
        Assert.Contains("dtype 'F8_E4M3'", Refused(File("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)).Message);
        Assert.Contains("key 'a' appears twice", Refused(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2)).Message);
        Assert.Contains("not valid JSON", Refused(File("{\"a\":{\"dtype\":\"U8\",,}}", 0)).Message);
        Assert.Contains("__metadata__['x'] (a string)", Refused(File("{\"__metadata__\":{\"x\":1}}", 0)).Message);
        Assert.Contains($"tensor 'a' shape [-1] has a dimension outside [0, {int.MaxValue}]",
            Refused(File("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0)).Message);
    }

    [Fact]
    public void EmptyHeaderAndEmptyTensorsAreFine()
    {
        using var empty = Checkpoint.LoadBytes(File("{}      ", 0), "empty.safetensors");
        Assert.Empty(empty.Tensors);
        using var zero = Checkpoint.LoadBytes(File("{\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1), "zero.safetensors");
        Assert.Equal(new[] { "z", "a" }, zero.Tensors.Keys);
        Assert.Empty(zero.Tensors["a"].Shape);
        Assert.Equal(1, zero.Tensors["a"].ElementCount);
    }
}
