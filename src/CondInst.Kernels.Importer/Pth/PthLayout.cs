using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Finds the state dict and the metadata in a .pth's unpickled root: <c>{'meta': ..., 'state_dict': ...}</c>
/// as mmdetection publishes (also <c>'model'</c> in place of <c>'state_dict'</c>), or a bare state dict.
/// A <c>module.</c> prefix (DataParallel) is stripped from every key that has it.
/// </summary>
internal static class PthLayout
{
    public static (List<KeyValuePair<string, PickledTensor>> Tensors, IReadOnlyDictionary<string, object?> Meta) Split(string file, object? root)
    {
        if (root is not PyDict dict)
            throw new ImporterException($"{file}: expected the checkpoint to be a dict (a state dict, or {{'meta': ..., 'state_dict': ...}}), found {Unpickler.Describe(root)}");
        PyDict stateDict;
        string where;
        if (dict.TryGet("state_dict", out var sd) && sd is PyDict s1)
        {
            stateDict = s1;
            where = "state_dict";
        }
        else if (dict.TryGet("model", out var m) && m is PyDict s2 && AllTensors(s2))
        {
            stateDict = s2;
            where = "model";
        }
        else if (AllTensors(dict))
        {
            stateDict = dict;
            where = "";
        }
        else
        {
            var keys = dict.Items.Take(8).Select(kv => kv.Key is string k ? $"'{k}'" : Unpickler.Describe(kv.Key));
            throw new ImporterException($"{file}: expected a 'state_dict' entry or a dict of tensors, found a dict with keys [{string.Join(", ", keys)}{(dict.Items.Count > 8 ? ", ..." : "")}] whose values are not all tensors");
        }

        var tensors = new List<KeyValuePair<string, PickledTensor>>(stateDict.Items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in stateDict.Items)
        {
            if (key is not string name)
                throw new ImporterException($"{file}: {Label(where)} key must be a string, found {Unpickler.Describe(key)}");
            if (value is not PickledTensor t)
                throw new ImporterException($"{file}: {Label(where)}['{name}'] must be a tensor, found {Unpickler.Describe(value)}");
            string stripped = name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name;
            if (!seen.Add(stripped))
                throw new ImporterException($"{file}: {Label(where)} has both '{name}' and another key that is '{stripped}' once 'module.' is stripped");
            tensors.Add(new(stripped, t));
        }
        IReadOnlyDictionary<string, object?> meta = new Dictionary<string, object?>();
        if (where != "" && dict.TryGet("meta", out var mv) && mv is PyDict metaDict)
            meta = MetaConverter.ToDictionary(file, metaDict, "meta");
        return (tensors, meta);
    }

    private static string Label(string where) => where == "" ? "state dict" : $"'{where}'";

    private static bool AllTensors(PyDict d) => d.Items.Count > 0 && d.Items.All(kv => kv.Value is PickledTensor);
}
