using System.Buffers.Binary;
using System.Text;

namespace CondInst.Kernels.Importer.Pickle;

/// <summary>
/// Emits protocol-2 pickle opcodes: the state-dict layout torch.save writes (<see cref="StateDict"/>) and single
/// opcodes for crafting test inputs. The importer never writes .pth itself; tests and the benchmark use this to
/// produce checkpoints without Python.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public byte[] ToArray() => _out.ToArray();

    public PickleWriter Op(byte op)
    {
        _out.WriteByte(op);
        return this;
    }

    public PickleWriter Proto(byte version = 2) => Op(0x80).Op(version);

    public PickleWriter Mark() => Op((byte)'(');

    public PickleWriter Stop() => Op((byte)'.');

    public PickleWriter Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, bytes.Length);
        _out.Write(n);
        _out.Write(bytes);
        return this;
    }

    public PickleWriter Int(long v)
    {
        Span<byte> b = stackalloc byte[8];
        if (v is >= 0 and < 256) return Op((byte)'K').Op((byte)v);
        if (v is >= 0 and < 65536)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            Op((byte)'M');
            _out.Write(b[..2]);
            return this;
        }
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            Op((byte)'J');
            _out.Write(b[..4]);
            return this;
        }
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        Op(0x8a).Op(8);
        _out.Write(b);
        return this;
    }

    public PickleWriter Float(double v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        Op((byte)'G');
        _out.Write(b);
        return this;
    }

    public PickleWriter Global(string module, string name)
    {
        Op((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
        return this;
    }

    public PickleWriter Tuple(IEnumerable<long> values)
    {
        Mark();
        foreach (long v in values) Int(v);
        return Op((byte)'t');
    }

    /// <summary>A plain value: string, long/int, double, bool, null, list/array (as a list), or string-keyed dictionary.</summary>
    public PickleWriter Value(object? v)
    {
        switch (v)
        {
            case null: return Op((byte)'N');
            case string s: return Str(s);
            case bool b: return Op(b ? (byte)0x88 : (byte)0x89);
            case int i: return Int(i);
            case long l: return Int(l);
            case double d: return Float(d);
            case IReadOnlyDictionary<string, object?> dict:
                Op((byte)'}').Mark();
                foreach (var (k, x) in dict) Str(k).Value(x);
                return Op((byte)'u');
            case System.Collections.IEnumerable list:
                Op((byte)']').Mark();
                foreach (var x in list) Value(x);
                return Op((byte)'e');
            default: throw new ArgumentException($"cannot pickle {v.GetType().Name}");
        }
    }

    /// <summary>
    /// One tensor as torch.save pickles it: <c>_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())</c>
    /// with the storage id <c>('storage', torch.XStorage, key, 'cpu', numel)</c>.
    /// </summary>
    public PickleWriter Tensor(string storageKey, TensorDType dtype, long storageNumel, long offset, IReadOnlyList<long> size, IReadOnlyList<long> stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", StorageClass(dtype)).Str(storageKey).Str("cpu").Int(storageNumel).Op((byte)'t').Op((byte)'Q');
        Int(offset).Tuple(size).Tuple(stride).Op(0x89).Global("collections", "OrderedDict").Op((byte)')').Op((byte)'R');
        return Op((byte)'t').Op((byte)'R');
    }

    /// <summary>A whole checkpoint: <c>{'meta': meta, 'state_dict': OrderedDict(name: tensor)}</c>, or the bare OrderedDict when meta is null; storages keyed "0", "1", ...</summary>
    public static byte[] StateDict(IReadOnlyList<CheckpointTensor> tensors, IReadOnlyDictionary<string, object?>? meta)
    {
        var w = new PickleWriter().Proto();
        if (meta is not null) w.Op((byte)'}').Mark().Str("meta").Value(meta).Str("state_dict");
        w.Global("collections", "OrderedDict").Op((byte)')').Op((byte)'R').Mark();
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var stride = new long[t.Shape.Length];
            long s = 1;
            for (int d = t.Shape.Length - 1; d >= 0; d--)
            {
                stride[d] = s;
                s *= t.Shape[d];
            }
            w.Str(t.Name).Tensor(i.ToString(System.Globalization.CultureInfo.InvariantCulture), t.DType, t.ElementCount, 0, t.Shape.Select(x => (long)x).ToArray(), stride);
        }
        w.Op((byte)'u');
        if (meta is not null) w.Op((byte)'u');
        return w.Stop().ToArray();
    }

    public static string StorageClass(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "FloatStorage",
        TensorDType.Float16 => "HalfStorage",
        TensorDType.BFloat16 => "BFloat16Storage",
        TensorDType.Float64 => "DoubleStorage",
        TensorDType.Int64 => "LongStorage",
        TensorDType.Int32 => "IntStorage",
        TensorDType.Int8 => "CharStorage",
        TensorDType.UInt8 => "ByteStorage",
        _ => "BoolStorage",
    };
}
