using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CondInst.Kernels.Tests.Model.Input;

/// <summary>Byte-level builders for small test images, so every header field and sample is under the test's control.</summary>
internal static class TestImages
{
    /// <summary>PNG colour types.</summary>
    public const byte Grey = 0, Rgb = 2, Palette = 3, GreyAlpha = 4, Rgba = 6;

    /// <summary>
    /// A PNG of <paramref name="width"/> x <paramref name="height"/> whose scanlines are <paramref name="rows"/>
    /// (packed samples, big-endian for 16 bits, no filter bytes); <paramref name="chunks"/> go between IHDR and IDAT.
    /// </summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colourType, byte[] rows, params (string Type, byte[] Data)[] chunks)
    {
        int rowBytes = rows.Length / height;
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter type None
            raw.Write(rows, y * rowBytes, rowBytes);
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType;
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        png.Write(Chunk("IHDR", ihdr));
        foreach (var (type, data) in chunks) png.Write(Chunk(type, data));
        png.Write(Chunk("IDAT", z.ToArray()));
        png.Write(Chunk("IEND", []));
        return png.ToArray();
    }

    /// <summary>One PNG chunk: length, type, data, CRC-32 of type and data.</summary>
    public static byte[] Chunk(string type, byte[] data)
    {
        var c = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(c, data.Length);
        Encoding.ASCII.GetBytes(type, c.AsSpan(4));
        data.CopyTo(c, 8);
        BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(8 + data.Length), Crc32(c.AsSpan(4, 4 + data.Length)));
        return c;
    }

    /// <summary>Re-computes the CRC of the chunk whose length field starts at <paramref name="offset"/>.</summary>
    public static void FixCrc(byte[] png, int offset)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), Crc32(png.AsSpan(offset + 4, 4 + length)));
    }

    /// <summary>CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) as PNG uses it.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>
    /// A little-endian TIFF structure holding one IFD entry, Orientation (0x0112, SHORT, count 1) = <paramref name="orientation"/>:
    /// the payload of a PNG eXIf chunk.
    /// </summary>
    public static byte[] ExifOrientation(ushort orientation)
    {
        var e = new byte[8 + 2 + 12 + 4];
        e[0] = (byte)'I';
        e[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4), 8); // IFD0 offset
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(8), 1); // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(10), 0x0112);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(12), 3); // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(18), orientation);
        return e; // next-IFD offset (last 4 bytes) stays 0
    }

    /// <summary>A PNG iTXt chunk payload: keyword, NUL, no compression, empty language and translated keyword, text.</summary>
    public static byte[] ITxt(string keyword, string text) =>
        [.. Encoding.Latin1.GetBytes(keyword), 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(text)];

    /// <summary>
    /// A 2x1 GIF89a: global colour table (10, 20, 30), (200, 100, 50), (0, 0, 0), (0, 0, 0); a graphic control
    /// extension marking index 1 transparent; one image with pixel indices [0, 1].
    /// LZW with minimum code size 2 (clear = 4, end = 5, 3-bit codes): CLEAR, 0, 1, END packed LSB first =
    /// 100 000 001 101 → bytes 0b01000100 = 0x44, 0b00001010 = 0x0A.
    /// </summary>
    public static byte[] GifWithTransparentIndex() =>
    [
        .. "GIF89a"u8, 2, 0, 1, 0, 0x81, 0, 0, // screen 2x1, global table of 2^(1+1) = 4 entries
        10, 20, 30, 200, 100, 50, 0, 0, 0, 0, 0, 0,
        0x21, 0xF9, 4, 0x01, 0, 0, 1, 0, // GCE: transparency flag, delay 0, transparent index 1
        0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, // image descriptor at (0, 0), 2x1, no local table
        2, 2, 0x44, 0x0A, 0, // LZW min code size, one 2-byte sub-block, terminator
        0x3B,
    ];

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="dir"/>/<paramref name="name"/> and returns the path.</summary>
    public static string Save(string dir, string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
