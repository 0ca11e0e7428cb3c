using System.Text.Json;

namespace CondInst.Kernels.Tests.Coco;

/// <summary>The COCO cases and pycocotools' numbers for them (made by make_coco_reference.py, copied next to the tests).</summary>
internal static class CocoData
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Coco", "Data");

    public static string File(string relative) => Path.Combine(Folder, relative);

    /// <summary>"case/results*.json" → pycocotools' output for bbox and segm.</summary>
    public static JsonElement Expected { get; } = Load("expected.json");

    public static JsonElement Rle { get; } = Load("rle_reference.json");

    public static IEnumerable<string> Cases => Expected.EnumerateObject().Select(p => p.Name);

    public static TheoryData<string> CaseData => [.. Cases];

    private static JsonElement Load(string name)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File(name)));
        return doc.RootElement.Clone();
    }

    public static double[] Doubles(this JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];
}
