using System.Buffers.Binary;
using System.Text;
using CondInst.Kernels.Importer;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>
/// Storages and offsets past 2 GiB. A torch ByteStorage counts in bytes, so a tensor at storage offset 2^31 needs only
/// a 2 GiB storage; the archive is written as a sparse file (the zeros take neither disk nor memory) by a zip writer
/// of this test's own, and the importer maps it.
/// </summary>
public sealed class LargeStorageTests
{
    private const byte SetItems = (byte)'u';

    [Fact]
    public void ATensorAtStorageOffset2Pow31Loads()
    {
        const long Offset = 1L << 31;
        byte[] tail = [3, 1, 4, 1, 5, 9, 2, 6];
        var pickle = new PickleWriter().Proto().Op((byte)'}').Mark().Str("far")
            .Tensor("0", TensorDType.UInt8, Offset + tail.Length, Offset, [tail.Length], [1]).Op(SetItems).Stop().ToArray();
        using var dir = new TempDir();
        string path = dir.File("far.pth");
        WriteSparseZip(path, pickle, Offset, tail);
        Assert.True(new FileInfo(path).Length > Offset);

        using var ckpt = Checkpoint.Load(path);
        var t = ckpt.Tensors["far"];
        Assert.Equal(TensorDType.UInt8, t.DType);
        Assert.Equal(tail, t.Data.ToArray());
    }

    // A stored (uncompressed) zip of archive/data.pkl and archive/data/0, the latter `zeros` zero bytes then `tail`;
    // sizes and offsets stay below 4 GiB, so no zip64 records. The pickle's CRC-32 is written (the importer checks it);
    // the storage's is left 0, as storages are never read whole (zero-copy), so their CRCs are not checked.
    private static void WriteSparseZip(string path, byte[] pickle, long zeros, byte[] tail)
    {
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var entries = new List<(string Name, long Offset, long Size, uint Crc)>();
        void Local(string name, long size, uint crc)
        {
            entries.Add((name, f.Position, size, crc));
            var h = new byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(14), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(18), (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(22), (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(26), (ushort)Encoding.ASCII.GetByteCount(name));
            f.Write(h);
            f.Write(Encoding.ASCII.GetBytes(name));
        }
        Local("archive/data.pkl", pickle.Length, Crc(pickle));
        f.Write(pickle);
        Local("archive/data/0", zeros + tail.Length, 0);
        f.Seek(zeros, SeekOrigin.Current); // a hole: reads as zeros
        f.Write(tail);
        long directory = f.Position;
        foreach (var (name, offset, size, crc) in entries)
        {
            var c = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(4), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(20), (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(24), (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(28), (ushort)Encoding.ASCII.GetByteCount(name));
            BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(42), (uint)offset);
            f.Write(c);
            f.Write(Encoding.ASCII.GetBytes(name));
        }
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)(f.Position - directory));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)directory);
        f.Write(end);
    }

    // CRC-32 (IEEE, reflected, polynomial 0xEDB88320), bit by bit.
    private static uint Crc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
