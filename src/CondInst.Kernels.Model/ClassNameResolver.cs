namespace CondInst.Kernels.Model;

/// <summary>Class names of a model: from the checkpoint's metadata when present, else defaults.</summary>
internal static class ClassNameResolver
{
    /// <summary>
    /// mmdetection 3 keeps them in meta['dataset_meta']['classes'], mmdetection 2 in meta['CLASSES'];
    /// used only when their count matches the classifier.
    /// </summary>
    public static IReadOnlyList<string> FromMeta(IReadOnlyDictionary<string, object?> meta, int numClasses)
    {
        object? found = null;
        if (meta.TryGetValue("dataset_meta", out var dm) && dm is IReadOnlyDictionary<string, object?> d && d.TryGetValue("classes", out var c)) found = c;
        else if (meta.TryGetValue("CLASSES", out var c2)) found = c2;
        else if (meta.TryGetValue("classes", out var c3)) found = c3;
        if (found is System.Collections.IEnumerable list and not string)
        {
            var names = list.Cast<object?>().Select(o => o?.ToString() ?? "").ToList();
            if (names.Count == numClasses) return names;
        }
        return Defaults(numClasses);
    }

    /// <summary>COCO's names for 80 classes, else class_0, class_1, ...</summary>
    public static IReadOnlyList<string> Defaults(int numClasses) =>
        numClasses == CocoCategories.Count ? CocoCategories.Names : Enumerable.Range(0, numClasses).Select(i => $"class_{i}").ToList();
}
