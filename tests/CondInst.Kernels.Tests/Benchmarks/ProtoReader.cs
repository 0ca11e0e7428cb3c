using System.Buffers.Binary;
using System.Text;

namespace CondInst.Kernels.Tests.Benchmarks;

/// <summary>
/// A protobuf wire-format decoder written independently of the writer under test: splits a message into
/// (field, wire type, value) triples, so tests can check the ONNX bytes field by field.
/// </summary>
public sealed class ProtoReader
{
    public sealed record Field(int Number, int WireType, ulong Varint, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);

        public ProtoReader Message => new(Bytes);

        public float Fixed32Float => BitConverter.Int32BitsToSingle((int)Varint);

        /// <summary>A packed repeated varint field's values.</summary>
        public long[] PackedVarints()
        {
            var list = new List<long>();
            int i = 0;
            while (i < Bytes.Length) list.Add((long)ReadVarint(Bytes, ref i));
            return [.. list];
        }
    }

    public ProtoReader(byte[] data)
    {
        int i = 0;
        while (i < data.Length)
        {
            ulong key = ReadVarint(data, ref i);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: Fields.Add(new Field(number, wire, ReadVarint(data, ref i), [])); break;
                case 5:
                    Fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i, 4)), []));
                    i += 4;
                    break;
                case 2:
                    int n = checked((int)ReadVarint(data, ref i));
                    Fields.Add(new Field(number, wire, 0, data.AsSpan(i, n).ToArray()));
                    i += n;
                    break;
                default: throw new InvalidDataException($"wire type {wire} of field {number} at byte {i} is not expected in ONNX output");
            }
        }
    }

    public List<Field> Fields { get; } = [];

    public IEnumerable<Field> All(int number) => Fields.Where(f => f.Number == number);

    public Field One(int number) => Assert.Single(All(number));

    private static ulong ReadVarint(byte[] data, ref int i)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[i++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
            if (shift > 63) throw new InvalidDataException("varint longer than 10 bytes");
        }
    }
}
