using System.Buffers.Binary;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;

namespace CondInst.Kernels.Model;

/// <summary>
/// Completeness checks on the file's container before decoding. ImageSharp 2.1 decodes a JPEG, GIF, BMP, TGA or
/// WebP that ends early without complaint (missing pixels come out black or transparent), where Pillow raises
/// "image file is truncated"; these checks turn such files into an <see cref="ImageLoadException"/> instead of a
/// partial image. PNG: ImageSharp verifies chunk CRCs, <see cref="PngCheck"/> the completeness of the image data.
/// </summary>
internal static class ContainerChecks
{
    /// <summary>
    /// Throws when <paramref name="data"/> is visibly cut short. For a GIF whose first frame has a transparent
    /// colour index, returns that palette entry's (R, G, B): Pillow keeps such pixels as the index, so
    /// <c>convert('RGB')</c> shows the palette colour, where ImageSharp leaves them transparent black.
    /// </summary>
    public static byte[]? Verify(IImageFormat format, byte[] data, string source)
    {
        switch (format)
        {
            case JpegFormat: Jpeg(data, source); return null;
            case SixLabors.ImageSharp.Formats.Png.PngFormat: PngCheck.Verify(data, source); return null;
            case GifFormat: return Gif(data, source);
            case WebpFormat: Webp(data, source); return null;
            case BmpFormat: Bmp(data, source); return null;
            case TgaFormat: Tga(data, source); return null;
            default: return null;
        }
    }

    private static ImageLoadException Truncated(string source, string format, string detail) =>
        new(source, $"the {format} file is truncated ({detail})");

    // Marker segments up to the first SOS, then an EOI marker somewhere after it. Inside entropy-coded data a 0xFF
    // byte is always followed by 0x00 or a restart marker, so FF D9 there can only be the real end of image.
    // Stricter than Pillow in one case: a baseline JPEG whose scans are complete but which lacks only its final
    // EOI loads in Pillow and is refused here.
    private static void Jpeg(byte[] d, string source)
    {
        int p = 2;
        while (true)
        {
            while (p < d.Length && d[p] == 0xFF) p++; // fill bytes before a marker code
            if (p >= d.Length) throw Truncated(source, "JPEG", "no image data before the end of the file");
            byte marker = d[p++];
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) continue; // stand-alone markers
            if (marker == 0xD9) throw new ImageLoadException(source, "the JPEG file has no scan data (end-of-image marker before any scan)");
            if (p + 2 > d.Length) throw Truncated(source, "JPEG", $"marker 0xFF{marker:X2} at byte {p - 2} has no length");
            int length = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(p));
            if (p + length > d.Length) throw Truncated(source, "JPEG", $"segment 0xFF{marker:X2} at byte {p - 2} declares {length} bytes, {d.Length - p} remain");
            p += length;
            if (marker == 0xDA) break;
        }
        for (int i = p; i + 1 < d.Length; i++)
            if (d[i] == 0xFF && d[i + 1] == 0xD9) return;
        throw Truncated(source, "JPEG", "the scan data ends without an end-of-image marker");
    }

    // GIF blocks up to the end of the first image's data sub-blocks (the only frame mmcv uses).
    private static byte[]? Gif(byte[] d, string source)
    {
        const int ScreenDescriptorEnd = 13;
        if (d.Length < ScreenDescriptorEnd) throw Truncated(source, "GIF", "header shorter than 13 bytes");
        int p = ScreenDescriptorEnd;
        int globalTable = -1, globalSize = 0;
        if ((d[10] & 0x80) != 0)
        {
            globalTable = p;
            globalSize = 2 << (d[10] & 7);
            p += 3 * globalSize;
        }
        int transparentIndex = -1;
        while (true)
        {
            if (p >= d.Length) throw Truncated(source, "GIF", "the file ends before the first image");
            byte block = d[p++];
            if (block == 0x21)
            {
                if (p >= d.Length) throw Truncated(source, "GIF", "extension without a label");
                byte label = d[p++];
                // Graphic control extension: block size 4, packed flags (bit 0 = has transparency), delay, index.
                if (label == 0xF9 && p + 5 <= d.Length && d[p] == 4)
                    transparentIndex = (d[p + 1] & 1) != 0 ? d[p + 4] : -1;
                p = SkipSubBlocks(d, p, source);
            }
            else if (block == 0x2C)
            {
                if (p + 9 > d.Length) throw Truncated(source, "GIF", "image descriptor cut short");
                byte packed = d[p + 8];
                p += 9;
                int table = globalTable, size = globalSize;
                if ((packed & 0x80) != 0)
                {
                    table = p;
                    size = 2 << (packed & 7);
                    p += 3 * size;
                }
                p++; // LZW minimum code size
                SkipSubBlocks(d, p, source);
                if (transparentIndex < 0 || table < 0 || transparentIndex >= size) return null;
                int c = table + 3 * transparentIndex;
                return [d[c], d[c + 1], d[c + 2]];
            }
            else if (block == 0x3B)
            {
                throw new ImageLoadException(source, "the GIF file contains no image");
            }
            else
            {
                throw new ImageLoadException(source, $"the GIF file has an unknown block type 0x{block:X2} at byte {p - 1}");
            }
        }
    }

    private static int SkipSubBlocks(byte[] d, int p, string source)
    {
        while (true)
        {
            if (p >= d.Length) throw Truncated(source, "GIF", "data sub-blocks cut short");
            int n = d[p++];
            if (n == 0) return p;
            p += n;
        }
    }

    // RIFF header: "RIFF", little-endian size of everything after these 8 bytes, "WEBP".
    private static void Webp(byte[] d, string source)
    {
        if (d.Length < 12) throw Truncated(source, "WebP", "RIFF header cut short");
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(4)) + 8L;
        if (d.Length < declared) throw Truncated(source, "WebP", $"RIFF declares {declared} bytes, the file has {d.Length}");
    }

    // Uncompressed BMP (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS): the pixel array of |height| rows padded to 4 bytes
    // must fit after the pixel-data offset. RLE-compressed bitmaps are not checked.
    private static void Bmp(byte[] d, string source)
    {
        if (d.Length < 26) throw Truncated(source, "BMP", "headers cut short");
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(10));
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(14));
        long width, height;
        int bitsPerPixel, compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(18));
            height = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(20));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(24));
        }
        else
        {
            if (d.Length < 34) throw Truncated(source, "BMP", "info header cut short");
            width = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(18));
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(22)));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(28));
            compression = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(30));
        }
        if (compression is not (0 or 3 or 6)) return;
        long rowBytes = (width * bitsPerPixel + 31) / 32 * 4;
        long needed = offset + rowBytes * height;
        if (d.Length < needed) throw Truncated(source, "BMP", $"{width}x{height} at {bitsPerPixel} bits needs {needed} bytes, the file has {d.Length}");
    }

    // Uncompressed TGA (image types 1, 2, 3): header, image ID, colour map, then width·height pixels.
    private static void Tga(byte[] d, string source)
    {
        if (d.Length < 18) throw Truncated(source, "TGA", "header cut short");
        int imageType = d[2];
        if (imageType is not (1 or 2 or 3)) return;
        long colourMap = d[1] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(5)) * (long)((d[7] + 7) / 8) : 0;
        long pixels = (long)BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(12)) * BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(14));
        long needed = 18 + d[0] + colourMap + pixels * ((d[16] + 7) / 8);
        if (d.Length < needed) throw Truncated(source, "TGA", $"needs {needed} bytes, the file has {d.Length}");
    }
}
