using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace CondInst.Kernels.Importer.Pickle;

/// <summary>
/// A pickle machine for the opcodes torch.save emits (protocols 2 to 5, binary opcodes only). It builds plain
/// values (see PyValues.cs) and never executes anything: globals are resolved against
/// <see cref="Globals"/>, and calling or building anything outside it is refused with the global's name.
/// Stack, memo, MARK nesting and integer sizes are bounded; every failure is an <see cref="ImporterException"/>
/// naming <c>label</c> and the absolute offset of the opcode.
/// </summary>
internal sealed partial class Unpickler
{
    public const int MaxStack = 1_000_000;
    public const int MaxMarks = 10_000;
    public const int MaxMemo = 4_000_000;
    private const int MaxLongBytes = 1024;
    private static readonly UTF8Encoding Strict = new(false, true);

    private readonly string _label;
    private readonly long _base;
    private readonly Func<object?[], string, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private long _at;

    /// <param name="label">File and part being read, e.g. <c>mini.pth: entry 'mini/data.pkl'</c>.</param>
    /// <param name="baseOffset">Offset of the pickle's first byte, so messages give offsets a hex dump agrees with.</param>
    /// <param name="persistentLoad">Resolves BINPERSID ids (storages); gets the id tuple and a location string for messages.</param>
    public Unpickler(string label, long baseOffset, Func<object?[], string, object?> persistentLoad)
    {
        _label = label;
        _base = baseOffset;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Runs the pickle starting at <paramref name="data"/>[0] up to its STOP; returns the value and the bytes consumed.</summary>
    public (object? Value, int Length) Load(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data, this);
        while (true)
        {
            _at = _base + r.Position;
            byte op = r.Byte();
            switch (op)
            {
                case 0x80: // PROTO
                    byte proto = r.Byte();
                    if (proto > 5) throw Error($"pickle protocol {proto}; expected 2 to 5");
                    break;
                case 0x95: // FRAME (protocol 4+): an 8-byte frame length, only a hint to buffered readers; the opcodes follow inline.
                    r.Bytes(8, 8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Error($"STOP with {_stack.Count} values and {_marks.Count} open MARKs on the stack; expected exactly one value");
                    return (_stack[0], r.Position);
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxMarks) throw Error($"more than {MaxMarks} nested MARKs (nesting too deep)");
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(r.Bytes(4, 4)));
                    break;
                case (byte)'K': // BININT1
                    Push((long)r.Byte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(r.Bytes(2, 2)));
                    break;
                case 0x8a: // LONG1
                    Push(Long(r.Bytes(r.Byte(), MaxLongBytes)));
                    break;
                case 0x8b: // LONG4
                    Push(Long(r.Bytes(r.Int32(), MaxLongBytes)));
                    break;
                case (byte)'G': // BINFLOAT (big-endian)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(r.Bytes(8, 8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(Utf8(r.Bytes(r.UInt32(), int.MaxValue)));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Utf8(r.Bytes(r.Byte(), 255)));
                    break;
                case 0x8d: // BINUNICODE8
                    Push(Utf8(r.Bytes(r.UInt64(), int.MaxValue)));
                    break;
                case (byte)'T': // BINSTRING (Python 2 str): read as Latin-1 text.
                    Push(Encoding.Latin1.GetString(r.Bytes(r.Int32(), int.MaxValue)));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(r.Bytes(r.Byte(), 255)));
                    break;
                case (byte)'B': // BINBYTES
                    Push(r.Bytes(r.UInt32(), int.MaxValue).ToArray());
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(r.Bytes(r.Byte(), 255).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    Push(r.Bytes(r.UInt64(), int.MaxValue).ToArray());
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new PyDict());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case 0x8f: // EMPTY_SET
                    Push(new List<object?>());
                    break;
                case (byte)'d': // DICT
                    Push(MakeDict(PopMark()));
                    break;
                case (byte)'l': // LIST
                    Push(new List<object?>(PopMark()));
                    break;
                case (byte)'t': // TUPLE
                    Push(PopMark());
                    break;
                case 0x91: // FROZENSET
                    Push(new List<object?>(PopMark()));
                    break;
                case 0x85: // TUPLE1
                    Push(new[] { Pop() });
                    break;
                case 0x86: // TUPLE2
                    {
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b });
                        break;
                    }
                case 0x87: // TUPLE3
                    {
                        var c = Pop();
                        var b = Pop();
                        var a = Pop();
                        Push(new[] { a, b, c });
                        break;
                    }
                case (byte)'s': // SETITEM
                    {
                        var value = Pop();
                        var key = Pop();
                        AsDict(Peek(), "SETITEM").Set(key, value);
                        break;
                    }
                case (byte)'u': // SETITEMS
                    {
                        var items = PopMark();
                        if (items.Length % 2 != 0) throw Error($"SETITEMS with an odd number ({items.Length}) of keys and values");
                        var dict = AsDict(Peek(), "SETITEMS");
                        for (int i = 0; i < items.Length; i += 2) dict.Set(items[i], items[i + 1]);
                        break;
                    }
                case (byte)'a': // APPEND
                    {
                        var value = Pop();
                        AsList(Peek(), "APPEND").Add(value);
                        break;
                    }
                case (byte)'e': // APPENDS
                case 0x90: // ADDITEMS (sets are kept as lists)
                    {
                        var items = PopMark();
                        AsList(Peek(), op == 0x90 ? "ADDITEMS" : "APPENDS").AddRange(items);
                        break;
                    }
                case (byte)'q': // BINPUT
                    Put(r.Byte());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Put(r.UInt32());
                    break;
                case 0x94: // MEMOIZE
                    Put(_memo.Count);
                    break;
                case (byte)'h': // BINGET
                    Push(Get(r.Byte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Get(r.UInt32()));
                    break;
                case (byte)'c': // GLOBAL: "module\nname\n"
                    {
                        string module = r.Line();
                        string name = r.Line();
                        Push(Globals.Resolve(module, name));
                        break;
                    }
                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop();
                        var module = Pop();
                        if (module is not string m || name is not string n)
                            throw Error($"STACK_GLOBAL expects two strings (module, name), found {Describe(module)} and {Describe(name)}");
                        Push(Globals.Resolve(m, n));
                        break;
                    }
                case (byte)'R': // REDUCE: callable(*args)
                    {
                        var args = Pop();
                        var callable = Pop();
                        Push(Reduce(callable, AsTuple(args, "REDUCE arguments")));
                        break;
                    }
                case 0x81: // NEWOBJ: cls.__new__(cls, *args)
                    {
                        var args = Pop();
                        var cls = Pop();
                        Push(NewObject(cls, AsTuple(args, "NEWOBJ arguments")));
                        break;
                    }
                case 0x92: // NEWOBJ_EX
                    {
                        Pop(); // kwargs
                        var args = Pop();
                        var cls = Pop();
                        Push(NewObject(cls, AsTuple(args, "NEWOBJ_EX arguments")));
                        break;
                    }
                case (byte)'b': // BUILD: obj.__setstate__(state)
                    {
                        var state = Pop();
                        Build(Peek(), state);
                        break;
                    }
                case (byte)'Q': // BINPERSID
                    {
                        var pid = Pop();
                        if (pid is not object?[] tuple) throw Error($"persistent id must be a tuple, found {Describe(pid)}");
                        Push(_persistentLoad(tuple, $"{_label} offset {_at}"));
                        break;
                    }
                default:
                    throw Error($"unknown or unsupported pickle opcode 0x{op:x2}{(op is >= 0x20 and < 0x7f ? $" ('{(char)op}')" : "")}; torch.save emits only binary opcodes of protocols 2 to 5");
            }
        }
    }

    private ImporterException Error(string message) => new($"{_label} offset {_at}: {message}");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStack) throw Error($"pickle stack exceeds {MaxStack} values");
        _stack.Add(value);
    }

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Error(_stack.Count == 0 ? "stack underflow: the opcode needs a value, the stack is empty" : "stack underflow: the opcode needs a value above the last MARK");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Error("stack underflow: the opcode needs a value on the stack above the last MARK");
        return _stack[^1];
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Error("the opcode needs a MARK, none is open");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void Put(long index)
    {
        if (_stack.Count == 0) throw Error("memo PUT with an empty stack");
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index)) throw Error($"memo exceeds {MaxMemo} entries");
        _memo[index] = _stack[^1];
    }

    private object? Get(long index) =>
        _memo.TryGetValue(index, out var v) ? v : throw Error($"memo GET of index {index}, which was never PUT");

    private PyDict MakeDict(object?[] items)
    {
        if (items.Length % 2 != 0) throw Error($"DICT with an odd number ({items.Length}) of keys and values");
        var d = new PyDict();
        for (int i = 0; i < items.Length; i += 2) d.Set(items[i], items[i + 1]);
        return d;
    }

    private PyDict AsDict(object? o, string op) => o as PyDict ?? throw Error($"{op} expects a dict below its items, found {Describe(o)}");

    private List<object?> AsList(object? o, string op) => o as List<object?> ?? throw Error($"{op} expects a list below its items, found {Describe(o)}");

    private object?[] AsTuple(object? o, string what) => o as object?[] ?? throw Error($"{what} must be a tuple, found {Describe(o)}");

    private object Long(ReadOnlySpan<byte> bytes)
    {
        // Little-endian two's complement of any length; most fit a long, the legacy magic number does not.
        if (bytes.Length == 0) return 0L;
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // Boxed as object on each branch: a conditional of long and BigInteger would be a BigInteger throughout.
        return big >= long.MinValue && big <= long.MaxValue ? (object)(long)big : big;
    }

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ImporterException($"{_label} offset {_at}: string is not valid UTF-8", e);
        }
    }

    /// <summary>A short description of a value's type for messages (never its whole content).</summary>
    internal static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"str '{(s.Length > 40 ? s[..40] + "..." : s)}'",
        long or BigInteger => $"int {o}",
        double d => $"float {d}",
        bool b => b ? "True" : "False",
        byte[] b => $"bytes[{b.Length}]",
        object?[] t => $"tuple of {t.Length}",
        List<object?> l => $"list of {l.Count}",
        PyDict d => $"{d.TypeName ?? "dict"} of {d.Items.Count}",
        PyGlobal g => $"global {g.FullName}",
        PyInert i => $"{i.Type.FullName} object",
        PickledTensor t => t.Describe(),
        StorageRef s => $"storage '{s.Key}'",
        _ => o.GetType().Name,
    };

    /// <summary>Reads opcode arguments with bounds checks against the pickle's span.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data, Unpickler owner)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public byte Byte()
        {
            if (Position >= _data.Length) throw owner.Error($"pickle ends without STOP (after {_data.Length} bytes)");
            return _data[Position++];
        }

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, 4));

        public long UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, 4));

        public long UInt64()
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, 8));
            return v > long.MaxValue ? long.MaxValue : (long)v;
        }

        public ReadOnlySpan<byte> Bytes(long count, int max)
        {
            if (count < 0 || count > max) throw owner.Error($"length {count} out of range (0 to {max})");
            if (count > _data.Length - Position)
                throw owner.Error($"argument of {count} bytes runs past the end of the pickle ({_data.Length - Position} bytes left)");
            var s = _data.Slice(Position, (int)count);
            Position += (int)count;
            return s;
        }

        public string Line()
        {
            int end = _data[Position..].IndexOf((byte)'\n');
            if (end < 0 || end > 1000) throw owner.Error("GLOBAL argument is not a newline-terminated name of at most 1000 bytes");
            var s = Encoding.ASCII.GetString(_data.Slice(Position, end));
            Position += end + 1;
            return s;
        }
    }
}
