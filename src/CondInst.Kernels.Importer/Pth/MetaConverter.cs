using System.Globalization;
using System.Numerics;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Converts unpickled metadata to plain values: string, long, double, bool, null, <c>List&lt;object?&gt;</c>
/// (lists, tuples, sets), <c>Dictionary&lt;string, object?&gt;</c> (non-string keys printed) and
/// <see cref="MetaPlaceholder"/> for globals, inert objects, byte strings and tensors. Integers beyond 64 bits
/// become doubles. Depth and size are bounded, so shared or cyclic structures cannot blow up.
/// </summary>
internal static class MetaConverter
{
    public const int MaxDepth = 64;
    public const int MaxNodes = 1_000_000;

    public static Dictionary<string, object?> ToDictionary(string file, PyDict meta, string path)
    {
        int nodes = 0;
        return (Dictionary<string, object?>)Convert(file, meta, path, 0, ref nodes)!;
    }

    private static object? Convert(string file, object? o, string path, int depth, ref int nodes)
    {
        if (depth > MaxDepth) throw new ImporterException($"{file}: {path}: metadata nested deeper than {MaxDepth} levels");
        if (++nodes > MaxNodes) throw new ImporterException($"{file}: {path}: metadata has more than {MaxNodes} values");
        switch (o)
        {
            case null or string or long or double or bool:
                return o;
            case BigInteger b:
                return (double)b;
            case byte[] bytes:
                return new MetaPlaceholder($"bytes[{bytes.Length}]");
            case object?[] tuple:
                return ConvertList(file, tuple, path, depth, ref nodes);
            case List<object?> list:
                return ConvertList(file, list, path, depth, ref nodes);
            case PyDict dict:
                {
                    var result = new Dictionary<string, object?>(dict.Items.Count, StringComparer.Ordinal);
                    foreach (var (key, value) in dict.Items)
                    {
                        string k = key switch
                        {
                            string s => s,
                            long l => l.ToString(CultureInfo.InvariantCulture),
                            double d => d.ToString("R", CultureInfo.InvariantCulture),
                            bool b => b ? "True" : "False",
                            null => "None",
                            _ => Unpickler.Describe(key),
                        };
                        result[k] = Convert(file, value, $"{path}.{k}", depth + 1, ref nodes);
                    }
                    return result;
                }
            case PyGlobal g:
                return new MetaPlaceholder(g.FullName);
            case PyInert inert:
                return new MetaPlaceholder(inert.Type.FullName);
            case PickledTensor t:
                return new MetaPlaceholder(t.Describe());
            default:
                return new MetaPlaceholder(Unpickler.Describe(o));
        }
    }

    private static List<object?> ConvertList(string file, IReadOnlyList<object?> items, string path, int depth, ref int nodes)
    {
        var result = new List<object?>(items.Count);
        for (int i = 0; i < items.Count; i++) result.Add(Convert(file, items[i], $"{path}[{i}]", depth + 1, ref nodes));
        return result;
    }
}
