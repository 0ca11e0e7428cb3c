using System.IO.Compression;
using System.Text;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>Every refusal names the file, where (offset or key), what was expected and what was found.</summary>
public sealed class PthBadInputTests
{
    private static ImporterException Refused(byte[] bytes, string name = "bad.pth") =>
        Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(bytes, name).Dispose());

    /// <summary>A one-tensor zip checkpoint whose pickle declares <paramref name="declaredNumel"/> elements and shape/stride as given.</summary>
    private static byte[] OneTensor(int recordFloats, long declaredNumel, long offset, long[] size, long[] stride)
    {
        var pickle = new PickleWriter().Proto().Op((byte)'}').Mark().Str("w")
            .Tensor("0", TensorDType.Float32, declaredNumel, offset, size, stride).Op((byte)'u').Stop().ToArray();
        return ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", new byte[recordFloats * 4]), ("archive/version", "3\n"u8.ToArray()));
    }

    [Fact]
    public void EmptyFile()
    {
        using var dir = new TempDir();
        string path = dir.File("empty.pth");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<ImporterException>(() => Checkpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("empty file (0 bytes); expected a .pth or .safetensors checkpoint", e.Message);
    }

    [Fact]
    public void MissingFile()
    {
        var e = Assert.Throws<ImporterException>(() => Checkpoint.Load("/no/such/file.pth"));
        Assert.Contains("/no/such/file.pth: cannot open", e.Message);
    }

    [Fact]
    public void UnrecognisedContent()
    {
        var e = Refused(Encoding.ASCII.GetBytes("hello world, not a model"));
        Assert.Contains("bad.pth: unrecognised format: first bytes 68656C6C6F", e.Message);
        Assert.Contains("expected a zip .pth", e.Message);
    }

    [Fact]
    public void TruncatedZip()
    {
        var bytes = File.ReadAllBytes(ImporterFiles.Mini);
        var e = Refused(bytes[..(bytes.Length / 2)], "mini.pth");
        Assert.Contains("mini.pth: not a complete zip archive: no end-of-central-directory record", e.Message);
        Assert.Contains($"file of {bytes.Length / 2} bytes, truncated?", e.Message);
        Assert.Contains("no end-of-central-directory record", Refused(bytes[..^10], "mini.pth").Message);
    }

    [Fact]
    public void ZipDirectoryPointingElsewhere()
    {
        var bytes = File.ReadAllBytes(ImporterFiles.Mini);
        // The end record's "offset of the central directory" field (end - 22 + 16): point it at the first entry's data.
        BitConverter.GetBytes(64u).CopyTo(bytes, bytes.Length - 22 + 16);
        var e = Refused(bytes, "mini.pth");
        Assert.Contains("mini.pth: offset 64: expected zip central directory entry 0 (signature 0x02014b50), found 0x", e.Message);
    }

    [Fact]
    public void ZipWithoutDataPkl()
    {
        var e = Refused(ImporterFiles.Zip(("archive/version", "3\n"u8.ToArray()), ("archive/data/0", new byte[4])));
        Assert.Contains("bad.pth: zip archive has no 'ARCHIVE/data.pkl' entry (found 2 entries: 'archive/version', 'archive/data/0')", e.Message);
    }

    [Fact]
    public void CompressedEntryIsRefusedClearly()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.Optimal).Open();
            s.Write(new byte[1000]);
        }
        var e = Refused(ms.ToArray());
        Assert.Contains("bad.pth: zip entry 'archive/data.pkl' is compressed (method 8); expected stored (method 0)", e.Message);
    }

    [Fact]
    public void CorruptPickleFailsItsCrc()
    {
        var bytes = File.ReadAllBytes(ImporterFiles.Mini);
        bytes[200] ^= 0xFF; // inside mini/data.pkl (the first entry, data at offset 64)
        var e = Refused(bytes, "mini.pth");
        Assert.Contains("mini.pth: entry 'mini/data.pkl'", e.Message);
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void BigEndianByteorderIsRefused()
    {
        var pickle = new PickleWriter().Proto().Op((byte)'}').Stop().ToArray();
        var e = Refused(ImporterFiles.Zip(("a/data.pkl", pickle), ("a/byteorder", "big"u8.ToArray())));
        Assert.Contains("bad.pth: entry 'a/byteorder' says 'big'; only little-endian checkpoints are supported", e.Message);
    }

    [Fact]
    public void MissingStorageRecord()
    {
        var pickle = new PickleWriter().Proto().Op((byte)'}').Mark().Str("w")
            .Tensor("7", TensorDType.Float32, 4, 0, [4], [1]).Op((byte)'u').Stop().ToArray();
        var e = Refused(ImporterFiles.Zip(("archive/data.pkl", pickle)));
        Assert.Contains("bad.pth: missing storage record 'archive/data/7' (storage '7', 4 float32 elements)", e.Message);
    }

    [Fact]
    public void StorageShorterThanShapeAndStridesNeed()
    {
        // The id claims 16 elements, the record holds 8.
        var e1 = Refused(OneTensor(8, 16, 0, [4, 4], [4, 1]));
        Assert.Contains("bad.pth: storage record 'archive/data/0' has 32 bytes but its id declares 16 float32 elements (64 bytes) (tensor 'w')", e1.Message);
        // The id is honest (8), the view needs 16.
        var e2 = Refused(OneTensor(8, 8, 0, [4, 4], [4, 1]));
        Assert.Contains("bad.pth: tensor 'w': shape [4, 4] strides [4, 1] offset 0 needs 16 float32 elements (64 bytes) of storage 'archive/data/0', which holds 32 bytes", e2.Message);
        // A transposed view whose strides reach past the end, and an offset that does.
        Assert.Contains("needs 13 float32 elements", Refused(OneTensor(8, 8, 0, [4, 2], [1, 9])).Message);
        Assert.Contains("offset 5 needs 9 float32 elements", Refused(OneTensor(8, 8, 5, [2, 2], [2, 1])).Message);
        // In bounds: fine, and the view is gathered in C order.
        using var ok = Checkpoint.LoadBytes(OneTensor(8, 8, 1, [2, 2], [1, 3]), "ok.pth");
        Assert.Equal(new[] { 2, 2 }, ok.Tensors["w"].Shape);
    }

    [Fact]
    public void UnknownOpcode()
    {
        var pickle = new byte[] { 0x80, 0x02, (byte)'}', 0xFF, (byte)'.' };
        var e = Refused(ImporterFiles.Zip(("archive/data.pkl", pickle)));
        Assert.Contains("bad.pth: entry 'archive/data.pkl', file offset 67: unknown or unsupported pickle opcode 0xff", e.Message);
        // A text-protocol opcode (INST) is refused the same way, by name.
        var inst = Refused(ImporterFiles.Zip(("archive/data.pkl", Encoding.Latin1.GetBytes("\u0080\u0002ios\nsystem\n."))));
        Assert.Contains("opcode 0x69 ('i')", inst.Message);
    }

    [Fact]
    public void PickleWithoutStopOrWithLeftovers()
    {
        Assert.Contains("pickle ends without STOP", Refused(ImporterFiles.Zip(("archive/data.pkl", new byte[] { 0x80, 0x02, (byte)'}' }))).Message);
        Assert.Contains("STOP with 2 values", Refused(ImporterFiles.Zip(("archive/data.pkl", new byte[] { 0x80, 0x02, (byte)'}', (byte)'}', (byte)'.' }))).Message);
        Assert.Contains("stack underflow", Refused(ImporterFiles.Zip(("archive/data.pkl", new byte[] { 0x80, 0x02, (byte)'s', (byte)'.' }))).Message);
        Assert.Contains("memo GET of index 9, which was never PUT", Refused(ImporterFiles.Zip(("archive/data.pkl", new byte[] { 0x80, 0x02, (byte)'h', 9, (byte)'.' }))).Message);
        var huge = Refused(ImporterFiles.Zip(("archive/data.pkl", new byte[] { 0x80, 0x02, (byte)'X', 0xFF, 0xFF, 0xFF, 0x7F, (byte)'.' })));
        Assert.Contains("argument of 2147483647 bytes runs past the end of the pickle", huge.Message);
    }

    [Fact]
    public void NotAStateDict()
    {
        var list = new PickleWriter().Proto().Value(new List<object?> { 1L, 2L }).Stop().ToArray();
        Assert.Contains("bad.pth: expected the checkpoint to be a dict (a state dict, or {'meta': ..., 'state_dict': ...}), found list of 2",
            Refused(ImporterFiles.Zip(("archive/data.pkl", list))).Message);
        var dict = new PickleWriter().Proto().Value(new Dictionary<string, object?> { ["epoch"] = 3L, ["optimizer"] = "x" }).Stop().ToArray();
        Assert.Contains("expected a 'state_dict' entry or a dict of tensors, found a dict with keys ['epoch', 'optimizer']",
            Refused(ImporterFiles.Zip(("archive/data.pkl", dict))).Message);
        var mixed = new PickleWriter().Proto().Op((byte)'}').Mark().Str("state_dict").Op((byte)'}').Mark().Str("w")
            .Tensor("0", TensorDType.Float32, 1, 0, [1], [1]).Str("n").Int(5).Op((byte)'u').Op((byte)'u').Stop().ToArray();
        Assert.Contains("bad.pth: 'state_dict'['n'] must be a tensor, found int 5",
            Refused(ImporterFiles.Zip(("archive/data.pkl", mixed), ("archive/data/0", new byte[4]))).Message);
    }

    [Fact]
    public void LegacyFileCutShort()
    {
        var bytes = File.ReadAllBytes(ImporterFiles.MiniLegacy);
        var inPickle = Refused(bytes[..5000], "mini_legacy.pth");
        Assert.Contains("mini_legacy.pth: object pickle, file offset 2123: argument of 4031 bytes runs past the end of the pickle (2872 bytes left)", inPickle.Message);
        var inData = Refused(bytes[..^1000], "mini_legacy.pth");
        Assert.Contains("mini_legacy.pth: offset 9840871: storage '736053552' claims 128 float32 elements (512 bytes) but only 48 bytes follow", inData.Message);
    }

    [Fact]
    public void LegacyWrongMagic()
    {
        var bytes = File.ReadAllBytes(ImporterFiles.MiniLegacy);
        bytes[5] ^= 1; // inside the magic number's LONG1
        var e = Refused(bytes, "mini_legacy.pth");
        Assert.Contains("mini_legacy.pth: offset 0: expected the legacy .pth magic number 0x1950a86a20f9469cfc6c, found int", e.Message);
    }
}
