using System.Buffers.Binary;
using System.IO.Compression;

namespace CondInst.Kernels.Model;

/// <summary>
/// Completeness of a PNG before decoding. ImageSharp checks chunk CRCs, but a file cut at (or inside) a later
/// IDAT chunk of a multi-IDAT image decodes without complaint, the missing rows left blank; Pillow raises
/// "image file is truncated". Here every chunk must be whole and the IDAT zlib stream must inflate to all the
/// scanlines IHDR announces (a missing IEND alone is harmless, as in Pillow).
/// </summary>
internal static class PngCheck
{
    private static readonly (int X, int Y, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public static void Verify(byte[] d, string source)
    {
        int p = 8, width = 0, height = 0, bitsPerPixel = 0;
        bool interlaced = false;
        var idat = new MemoryStream();
        while (p < d.Length)
        {
            if (p + 8 > d.Length) throw Truncated(source, $"chunk header at byte {p} is cut off");
            long length = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(p));
            string type = System.Text.Encoding.ASCII.GetString(d, p + 4, 4);
            if (p + 12 + length > d.Length) throw Truncated(source, $"chunk {type} at byte {p} declares {length} bytes, {d.Length - p - 12} remain");
            var body = d.AsSpan(p + 8, (int)length);
            if (type == "IHDR" && length >= 13)
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                int channels = body[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
                bitsPerPixel = channels * body[8];
                interlaced = body[12] == 1;
            }
            else if (type == "IDAT") idat.Write(body);
            else if (type == "IEND") break;
            p += 12 + (int)length;
        }
        if (width <= 0 || height <= 0 || bitsPerPixel == 0) return; // ImageSharp reports malformed headers itself
        long expected = interlaced
            ? Adam7.Sum(a => Pass(width, height, a, bitsPerPixel))
            : height * (1 + RowBytes(width, bitsPerPixel));
        long inflated = Inflated(idat, expected);
        if (inflated < expected)
            throw Truncated(source, $"the image data holds {inflated} of the {expected} bytes of scanlines its header announces");
    }

    private static long RowBytes(long width, int bitsPerPixel) => (width * bitsPerPixel + 7) / 8;

    private static long Pass(int width, int height, (int X, int Y, int DX, int DY) a, int bpp)
    {
        long w = (width - a.X + a.DX - 1) / a.DX, h = (height - a.Y + a.DY - 1) / a.DY;
        return w <= 0 || h <= 0 ? 0 : h * (1 + RowBytes(w, bpp));
    }

    // Inflates at most `limit` bytes (it only needs to know whether the stream reaches the announced size).
    private static long Inflated(MemoryStream idat, long limit)
    {
        idat.Position = 0;
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int n;
            while (total < limit && (n = z.Read(buffer)) > 0) total += n;
        }
        catch (InvalidDataException)
        {
            // A cut stream can end in the middle of a deflate block: what came out before counts.
        }
        return total;
    }

    private static ImageLoadException Truncated(string source, string detail) => new(source, $"the PNG file is truncated ({detail})");
}
