using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace CondInst.Kernels.Benchmarks.Onnx;

/// <summary>
/// Protocol Buffers wire format, the subset ONNX needs: varints (wire type 0), fixed 32-bit floats (5) and
/// length-delimited fields (2: strings, bytes, packed repeated scalars, nested messages). A nested message is
/// written into its own buffer first, because its length prefix precedes it.
/// </summary>
public sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed32 = 5;
    private const int WireLengthDelimited = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>Bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Field <paramref name="field"/> as a varint (int32/int64/enum; negatives take ten bytes, as protobuf does).</summary>
    public void Int64(int field, long value)
    {
        Tag(field, WireVarint);
        Varint((ulong)value);
    }

    /// <summary>Field <paramref name="field"/> as a little-endian IEEE float (fixed32).</summary>
    public void Float(int field, float value)
    {
        Tag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Field <paramref name="field"/> as a UTF-8 string.</summary>
    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Field <paramref name="field"/> as raw bytes.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLengthDelimited);
        Varint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    /// <summary>A packed repeated int64 field (one length-delimited run of varints).</summary>
    public void PackedInt64(int field, ReadOnlySpan<long> values)
    {
        var inner = new ProtoWriter();
        foreach (long v in values) inner.Varint((ulong)v);
        Bytes(field, inner.WrittenSpan);
    }

    /// <summary>A packed repeated float field (one length-delimited run of fixed32 values).</summary>
    public void PackedFloat(int field, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the ONNX writer assumes a little-endian machine");
        Bytes(field, MemoryMarshal.AsBytes(values));
    }

    /// <summary>A nested message: <paramref name="write"/> fills it, then it is written length-prefixed.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.WrittenSpan);
    }

    private void Tag(int field, int wireType)
    {
        if (field <= 0) throw new ArgumentOutOfRangeException(nameof(field), field, "protobuf field numbers start at 1");
        Varint(((ulong)field << 3) | (uint)wireType);
    }

    // Seven bits per byte, least significant group first, high bit set on every byte but the last.
    private void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
