using System.Buffers.Binary;
using System.Text.Json;
using CondInst.Kernels.Importer.IO;

namespace CondInst.Kernels.Importer.Safetensors;

/// <summary>
/// Reads safetensors: an 8-byte little-endian header size N, N bytes of JSON header
/// (<c>{"__metadata__": {str: str}, NAME: {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>), then the data
/// section. The header is validated completely before any tensor is made: dtype and shape consistent with the byte
/// length, offsets in bounds, no overlaps, no holes, the data section covered exactly. Tensors view the memory map.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The format's own bound on the header (100 MB).</summary>
    public const long MaxHeader = 100_000_000;

    private sealed record Entry(string Name, TensorDType DType, int[] Shape, long Begin, long End);

    public static (List<CheckpointTensor> Tensors, Dictionary<string, string> Metadata) Read(ByteSource src)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(src.Span(0, 8, "safetensors header size"));
        if (n > (ulong)(src.Length - 8))
            throw new ImporterException($"{src.Name}: offset 0: safetensors header size {n} is larger than the {src.Length - 8} bytes after it (file of {src.Length} bytes)");
        if (n > MaxHeader)
            throw new ImporterException($"{src.Name}: offset 0: safetensors header size {n} exceeds the format's limit of {MaxHeader} bytes");
        long dataStart = 8 + (long)n;
        long dataLength = src.Length - dataStart;
        var (entries, metadata) = ParseHeader(src, src.Span(8, (int)n, "safetensors header"));

        // Sort by position (stable: zero-length tensors keep header order) and require an exact tiling of the data.
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expect = 0;
        Entry? previous = null;
        foreach (var e in ordered)
        {
            if (e.Begin < expect)
                throw new ImporterException($"{src.Name}: header: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}) overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End})");
            if (e.Begin > expect)
                throw new ImporterException($"{src.Name}: header: data bytes [{expect}, {e.Begin}) belong to no tensor (hole before '{e.Name}'); safetensors data must be covered exactly");
            expect = e.End;
            previous = e;
        }
        if (expect != dataLength)
            throw new ImporterException($"{src.Name}: header: tensors cover {expect} bytes of data but the data section (from offset {dataStart}) has {dataLength} bytes");

        var tensors = ordered.Select(e => new CheckpointTensor(e.Name, e.DType, e.Shape,
            src.Memory(dataStart + e.Begin, (int)(e.End - e.Begin), $"tensor '{e.Name}'"))).ToList();
        return (tensors, metadata);
    }

    private static (List<Entry>, Dictionary<string, string>) ParseHeader(ByteSource src, ReadOnlySpan<byte> json)
    {
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long dataLength = src.Length - 8 - json.Length;
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            Expect(src, ref r, JsonTokenType.StartObject, "the header object");
            while (Next(src, ref r) == JsonTokenType.PropertyName)
            {
                string name = r.GetString()!;
                if (!names.Add(name)) throw Bad(src, $"key '{name}' appears twice");
                if (name == "__metadata__")
                {
                    Expect(src, ref r, JsonTokenType.StartObject, "__metadata__ (an object of strings)");
                    while (Next(src, ref r) == JsonTokenType.PropertyName)
                    {
                        string key = r.GetString()!;
                        Expect(src, ref r, JsonTokenType.String, $"__metadata__['{key}'] (a string)");
                        metadata[key] = r.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(src, ref r, name, dataLength));
            }
            if (r.TokenType != JsonTokenType.EndObject) throw Bad(src, $"expected a key or '}}', found {r.TokenType}");
            if (r.Read()) throw Bad(src, $"unexpected {r.TokenType} after the header object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 (GetString cannot transcode it).
            throw new ImporterException($"{src.Name}: header (offset 8, {json.Length} bytes) is not valid JSON: {e.Message}", e);
        }
        return (entries, metadata);
    }

    private static Entry ParseEntry(ByteSource src, ref Utf8JsonReader r, string name, long dataLength)
    {
        Expect(src, ref r, JsonTokenType.StartObject, $"tensor '{name}' (an object)");
        string? dtypeName = null;
        List<long>? shape = null, offsets = null;
        while (Next(src, ref r) == JsonTokenType.PropertyName)
        {
            string field = r.GetString()!;
            switch (field)
            {
                case "dtype":
                    Expect(src, ref r, JsonTokenType.String, $"tensor '{name}' dtype (a string)");
                    dtypeName = r.GetString();
                    break;
                case "shape":
                    shape = Integers(src, ref r, $"tensor '{name}' shape");
                    break;
                case "data_offsets":
                    offsets = Integers(src, ref r, $"tensor '{name}' data_offsets");
                    break;
                default:
                    throw Bad(src, $"tensor '{name}' has unknown field '{field}'; expected dtype, shape, data_offsets");
            }
        }
        if (dtypeName is null || shape is null || offsets is null)
            throw Bad(src, $"tensor '{name}' lacks {(dtypeName is null ? "dtype" : shape is null ? "shape" : "data_offsets")}");
        if (!TensorDTypes.TryParseSafetensors(dtypeName, out var dtype))
            throw Bad(src, $"tensor '{name}' has dtype '{dtypeName}'; supported: F32, F16, BF16, F64, I64, I32, I8, U8, BOOL");
        if (offsets.Count != 2) throw Bad(src, $"tensor '{name}' data_offsets has {offsets.Count} values; expected [begin, end]");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad(src, $"tensor '{name}' data_offsets [{begin}, {end}) out of range: expected 0 <= begin <= end <= {dataLength} (the data section's length)");
        if (shape.Count > 32) throw Bad(src, $"tensor '{name}' has {shape.Count} dimensions (at most 32)");
        long numel = 1;
        foreach (long d in shape)
        {
            if (d < 0 || d > int.MaxValue) throw Bad(src, $"tensor '{name}' shape [{string.Join(", ", shape)}] has a dimension outside [0, {int.MaxValue}]");
            numel = numel > 0 && d > long.MaxValue / 8 / numel ? long.MaxValue / 8 : numel * d;
        }
        if (numel * dtype.Size() != end - begin)
            throw Bad(src, $"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtypeName} needs {numel * dtype.Size()} bytes but data_offsets [{begin}, {end}) hold {end - begin}");
        if (end - begin > int.MaxValue) throw Bad(src, $"tensor '{name}' of {end - begin} bytes; the importer handles tensors up to 2 GiB");
        return new Entry(name, dtype, shape.Select(d => (int)d).ToArray(), begin, end);
    }

    private static List<long> Integers(ByteSource src, ref Utf8JsonReader r, string what)
    {
        Expect(src, ref r, JsonTokenType.StartArray, $"{what} (an array of integers)");
        var list = new List<long>();
        while (Next(src, ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out long v))
                throw Bad(src, $"{what}: expected integers, found {r.TokenType}");
            if (list.Count >= 64) throw Bad(src, $"{what}: more than 64 values");
            list.Add(v);
        }
        return list;
    }

    private static JsonTokenType Next(ByteSource src, ref Utf8JsonReader r) =>
        r.Read() ? r.TokenType : throw Bad(src, "JSON ends early");

    private static void Expect(ByteSource src, ref Utf8JsonReader r, JsonTokenType type, string what)
    {
        if (Next(src, ref r) != type) throw Bad(src, $"expected {what}, found {r.TokenType}");
    }

    private static ImporterException Bad(ByteSource src, string message) => new($"{src.Name}: header: {message}");
}
