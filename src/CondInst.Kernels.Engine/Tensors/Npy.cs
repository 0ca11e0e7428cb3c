using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace CondInst.Kernels;

/// <summary>Element types of <see cref="NpyArray"/> (NumPy descr strings in brackets).</summary>
public enum NpyType
{
    /// <summary>float32 ('&lt;f4').</summary>
    Float32,

    /// <summary>float64 ('&lt;f8').</summary>
    Float64,

    /// <summary>int64 ('&lt;i8').</summary>
    Int64,

    /// <summary>int32 ('&lt;i4').</summary>
    Int32,

    /// <summary>uint8 ('|u1').</summary>
    UInt8,

    /// <summary>bool ('|b1'), one byte per element.</summary>
    Bool,
}

/// <summary>
/// A NumPy array as stored in a <c>.npy</c> file: element type, shape and little-endian C-order bytes.
/// Enough of the format (versions 1 to 3) for test fixtures and stage dumps; Fortran order and
/// big-endian data are refused with a clear error.
/// </summary>
public sealed class NpyArray
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Wraps raw little-endian C-order bytes.</summary>
    public NpyArray(NpyType type, int[] shape, byte[] data)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n * ElementSize(type) != data.Length)
            throw new ArgumentException($"npy: {data.Length} bytes do not match shape {Tensor.Format(shape)} of {type}");
        Type = type;
        Shape = shape;
        Data = data;
    }

    /// <summary>Element type.</summary>
    public NpyType Type { get; }

    /// <summary>Dimensions.</summary>
    public int[] Shape { get; }

    /// <summary>Raw element bytes, little-endian, C order.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements.</summary>
    public long Length => Data.Length / ElementSize(Type);

    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    public static int ElementSize(NpyType type) => type switch
    {
        NpyType.Float32 or NpyType.Int32 => 4,
        NpyType.Float64 or NpyType.Int64 => 8,
        _ => 1,
    };

    /// <summary>A float32 array.</summary>
    public static NpyArray FromFloats(ReadOnlySpan<float> values, params int[] shape) =>
        new(NpyType.Float32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int32 array.</summary>
    public static NpyArray FromInts(ReadOnlySpan<int> values, params int[] shape) =>
        new(NpyType.Int32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 array (indices and labels, as PyTorch stores them).</summary>
    public static NpyArray FromLongs(ReadOnlySpan<long> values, params int[] shape) =>
        new(NpyType.Int64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A uint8 (or, with <paramref name="asBool"/>, bool) array.</summary>
    public static NpyArray FromBytes(ReadOnlySpan<byte> values, bool asBool, params int[] shape) =>
        new(asBool ? NpyType.Bool : NpyType.UInt8, shape, values.ToArray());

    /// <summary>The elements as float32 (float64 is rounded, integers and bools converted).</summary>
    public float[] ToFloats()
    {
        var result = new float[Length];
        switch (Type)
        {
            case NpyType.Float32: MemoryMarshal.Cast<byte, float>(Data).CopyTo(result); break;
            case NpyType.Float64: { var s = MemoryMarshal.Cast<byte, double>(Data); for (int i = 0; i < s.Length; i++) result[i] = (float)s[i]; break; }
            case NpyType.Int64: { var s = MemoryMarshal.Cast<byte, long>(Data); for (int i = 0; i < s.Length; i++) result[i] = s[i]; break; }
            case NpyType.Int32: { var s = MemoryMarshal.Cast<byte, int>(Data); for (int i = 0; i < s.Length; i++) result[i] = s[i]; break; }
            default: for (int i = 0; i < Data.Length; i++) result[i] = Data[i]; break;
        }
        return result;
    }

    /// <summary>The elements as int32 (int64 checked for range; floats refused).</summary>
    public int[] ToInts()
    {
        var result = new int[Length];
        switch (Type)
        {
            case NpyType.Int32: MemoryMarshal.Cast<byte, int>(Data).CopyTo(result); break;
            case NpyType.Int64: { var s = MemoryMarshal.Cast<byte, long>(Data); for (int i = 0; i < s.Length; i++) result[i] = checked((int)s[i]); break; }
            case NpyType.UInt8 or NpyType.Bool: for (int i = 0; i < Data.Length; i++) result[i] = Data[i]; break;
            default: throw new InvalidOperationException($"npy: cannot read {Type} as integers");
        }
        return result;
    }

    /// <summary>Reads a <c>.npy</c> file (or a gzip-compressed <c>.npy.gz</c>).</summary>
    public static NpyArray Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress)
            : file;
        try
        {
            return Read(stream);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a <c>.npy</c> array from a stream.</summary>
    public static NpyArray Read(Stream stream)
    {
        Span<byte> head = stackalloc byte[10];
        stream.ReadExactly(head[..8]);
        if (!head[..6].SequenceEqual(Magic)) throw new FormatException("not a .npy file (bad magic)");
        int major = head[6];
        int headerLength;
        if (major == 1)
        {
            stream.ReadExactly(head.Slice(8, 2));
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head.Slice(8, 2));
        }
        else if (major is 2 or 3)
        {
            stream.ReadExactly(head.Slice(8, 2));
            Span<byte> rest = stackalloc byte[2];
            stream.ReadExactly(rest);
            headerLength = (int)(BinaryPrimitives.ReadUInt16LittleEndian(head.Slice(8, 2)) | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(rest) << 16));
        }
        else throw new FormatException($"unsupported .npy version {major}");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string header = Encoding.Latin1.GetString(headerBytes);
        string descr = HeaderValue(header, "descr").Trim('\'', '"', ' ');
        string fortran = HeaderValue(header, "fortran_order").Trim();
        string shapeText = HeaderValue(header, "shape").Trim();
        if (fortran != "False") throw new FormatException($"Fortran-ordered .npy arrays are not supported (fortran_order {fortran})");
        var type = descr switch
        {
            "<f4" => NpyType.Float32,
            "<f8" => NpyType.Float64,
            "<i8" => NpyType.Int64,
            "<i4" => NpyType.Int32,
            "|u1" or "<u1" => NpyType.UInt8,
            "|b1" or "<b1" => NpyType.Bool,
            _ => throw new FormatException($"unsupported .npy dtype '{descr}' (expected <f4, <f8, <i8, <i4, |u1 or |b1)"),
        };
        var shape = shapeText.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = 1;
        foreach (int d in shape) count *= d;
        var data = new byte[count * ElementSize(type)];
        stream.ReadExactly(data);
        return new NpyArray(type, shape, data);
    }

    private static string HeaderValue(string header, string key)
    {
        int k = header.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (k < 0) throw new FormatException($".npy header lacks '{key}': {header.Trim()}");
        int colon = header.IndexOf(':', k);
        int end = key == "shape" ? header.IndexOf(')', colon) + 1 : header.IndexOfAny([',', '}'], colon);
        if (colon < 0 || end <= colon) throw new FormatException($".npy header is malformed: {header.Trim()}");
        return header[(colon + 1)..end];
    }

    /// <summary>
    /// Test seam: when set (for the current async flow only, so parallel tests are not affected), opens the temporary
    /// file of <see cref="Write(string)"/> instead of <see cref="File.Create(string)"/>; tests return a stream that
    /// fails part-way, as a full disk does, on systems where no small file system can be mounted.
    /// </summary>
    internal static readonly AsyncLocal<Func<string, Stream>?> CreateForWrite = new();

    /// <summary>Writes this array as a version 1.0 <c>.npy</c> file (written to a temporary name, then renamed; on failure, e.g. a full disk, the temporary file is removed).</summary>
    public void Write(string path)
    {
        string tmp = path + ".tmp";
        try
        {
            using (var stream = CreateForWrite.Value?.Invoke(tmp) ?? File.Create(tmp)) Write(stream);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(tmp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The write's own error is the one to report.
            }
            throw;
        }
    }

    /// <summary>Writes this array in <c>.npy</c> format to a stream.</summary>
    public void Write(Stream stream)
    {
        string descr = Type switch
        {
            NpyType.Float32 => "<f4",
            NpyType.Float64 => "<f8",
            NpyType.Int64 => "<i8",
            NpyType.Int32 => "<i4",
            NpyType.UInt8 => "|u1",
            _ => "|b1",
        };
        string shape = Shape.Length == 1 ? $"({Shape[0]},)" : "(" + string.Join(", ", Shape) + ")";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        stream.Write(len);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(Data);
    }
}
