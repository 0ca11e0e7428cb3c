using System.Text.Json;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Output;

/// <summary>results.json content field by field, category mapping, and atomic writing.</summary>
public sealed class CocoResultsWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("results").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly CompactMask Mask = CompactMask.FromFull([0, 1, 0, 0, 1, 1, 1, 0, 0], 3, 3); // "232NO"

    private static ImageGeometry Size(int w, int h) => new(h, w, h, w, h, w, 1, 1);

    private static DetectionResult Image(string id, params Detection[] instances) => Image(id, 80, instances);

    private static DetectionResult Image(string id, int numClasses, params Detection[] instances) => new(id, id + ".jpg", Size(3, 3), numClasses, instances);

    [Fact]
    public void CategoriesFollowMmdetectionsCocoOrder()
    {
        Assert.Equal(80, CocoCategories.Names.Count);
        Assert.Equal(80, CocoCategories.Ids.Count);
        Assert.Equal(80, CocoCategories.Ids.Distinct().Count());
        Assert.True(CocoCategories.Ids.Zip(CocoCategories.Ids.Skip(1)).All(p => p.First < p.Second));
        int[] gaps = [12, 26, 29, 30, 45, 66, 68, 69, 71, 83];
        Assert.Equal(Enumerable.Range(1, 90).Except(gaps), CocoCategories.Ids);
        Assert.Equal(("person", 1), (CocoCategories.Names[0], CocoCategories.CategoryId(0, 80)));
        Assert.Equal(("stop sign", 13), (CocoCategories.Names[11], CocoCategories.CategoryId(11, 80)));
        Assert.Equal(("dining table", 67), (CocoCategories.Names[60], CocoCategories.CategoryId(60, 80)));
        Assert.Equal(("toothbrush", 90), (CocoCategories.Names[79], CocoCategories.CategoryId(79, 80)));
        Assert.Equal(12, CocoCategories.CategoryId(11, 3 * 4)); // not 80 classes: label + 1
        Assert.Throws<ArgumentOutOfRangeException>(() => CocoCategories.CategoryId(80, 80));
    }

    [Fact]
    public void WritesEveryFieldAsMmdetectionDoes()
    {
        var images = new[]
        {
            Image("img_a", new Detection(1.5f, 2.25f, 10.75f, 20f, 0.9f, 11, "stop sign", Mask),
                           new Detection(0f, 0.1f, 3f, 3f, 0.05f, 0, "person", Mask)),
            Image("empty"),
            Image("img_b", new Detection(0f, 0f, 1f, 1f, 1f, 79, "toothbrush", Mask)),
        };
        string path = CocoResultsWriter.Write(_dir, images);
        Assert.Equal(Path.Combine(_dir, "results.json"), path);
        Assert.Equal(["results.json"], Directory.GetFiles(_dir).Select(Path.GetFileName)); // no temporary file left

        string text = File.ReadAllText(path);
        using var doc = JsonDocument.Parse(text);
        var list = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, list.Length); // one entry per instance; the empty image adds none

        var e = list[0];
        Assert.Equal(["image_id", "file_name", "category_id", "label", "bbox", "score", "segmentation"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal("img_a", e.GetProperty("image_id").GetString());
        Assert.Equal("img_a.jpg", e.GetProperty("file_name").GetString());
        Assert.Equal(13, e.GetProperty("category_id").GetInt32());
        Assert.Equal(11, e.GetProperty("label").GetInt32());
        Assert.Equal(new[] { 1.5, 2.25, 9.25, 17.75 }, e.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal((double)0.9f, e.GetProperty("score").GetDouble());
        var seg = e.GetProperty("segmentation");
        Assert.Equal(new[] { 3, 3 }, seg.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("232NO", seg.GetProperty("counts").GetString());

        // Numbers are float32 values widened to double, shortest round-trip text, as Python prints float(np.float32(x)):
        // 0.9f is 0.89999997615814208984375 exactly; 0.1f is 0.100000001490116119384765625; 3f − 0.1f in double.
        Assert.Contains("\"score\":0.8999999761581421", text);
        Assert.Contains("\"bbox\":[0,0.10000000149011612,3,2.899999998509884]", text);
        Assert.Equal((float)0.05, (float)list[1].GetProperty("score").GetDouble());
        Assert.Equal(90, list[2].GetProperty("category_id").GetInt32());
    }

    [Fact]
    public void NonCocoClassCountsUseLabelPlusOne()
    {
        var images = new[] { Image("x", 3, new Detection(0, 0, 1, 1, 0.5f, 2, "c2", Mask)) };
        using var doc = JsonDocument.Parse(File.ReadAllText(CocoResultsWriter.Write(_dir, images)));
        var e = doc.RootElement[0];
        Assert.Equal(3, e.GetProperty("category_id").GetInt32());
        Assert.Equal(2, e.GetProperty("label").GetInt32());
    }

    [Fact]
    public void AFailureMidWriteLeavesThePreviousFileAndNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "results.json");
        File.WriteAllText(path, "old");
        var images = new[]
        {
            Image("ok", new Detection(0, 0, 1, 1, 0.5f, 0, "person", Mask)),
            Image("bad", new Detection(0, 0, 1, 1, 0.5f, 0, "person", CompactMask.FromFull(new byte[4], 2, 2))),
        };
        var e = Assert.Throws<ArgumentException>(() => CocoResultsWriter.Write(_dir, images));
        Assert.Contains("image 'bad', instance 0: mask is 2x2, the image is 3x3", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));

        Assert.Throws<ArgumentException>(() => CocoResultsWriter.Write(_dir, [Image("nan", new Detection(0, 0, 1, 1, float.NaN, 0, "p", Mask))]));
        Assert.Throws<ArgumentException>(() => CocoResultsWriter.Write(_dir, [Image("lbl", 3, new Detection(0, 0, 1, 1, 0.5f, 3, "p", Mask))]));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void AnUnwritableOutputFolderLeavesNoResults()
    {
        // A file where the output folder should be: the folder cannot be created (this holds even for root).
        string blocker = Path.Combine(_dir, "out");
        File.WriteAllText(blocker, "");
        Assert.ThrowsAny<IOException>(() => CocoResultsWriter.Write(blocker, [Image("a")]));
        Assert.Throws<DirectoryNotFoundException>(() => CocoResultsWriter.WriteFile(Path.Combine(_dir, "missing", "results.json"), [Image("a")]));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void MiniFixtureDetectionsRoundTripThroughResultsJson()
    {
        // mmdetection's own final detections for input.png (24 instances, masks 300x451): every mask survives
        // RLE and JSON exactly, and boxes come back as the float32 values widened to double.
        static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", name);
        var boxes = NpyArray.Read(Fixture("det_bboxes.npy.gz")).ToFloats();
        var scores = NpyArray.Read(Fixture("det_scores.npy.gz")).ToFloats();
        var labels = NpyArray.Read(Fixture("det_labels.npy.gz")).ToInts();
        var masks = NpyArray.Read(Fixture("det_masks.npy.gz"));
        const int N = 24, Hm = 300, Wm = 451;
        Assert.Equal(new[] { N, Hm, Wm }, masks.Shape);
        var instances = new Detection[N];
        for (int k = 0; k < N; k++)
        {
            var full = masks.Data.AsSpan(k * Hm * Wm, Hm * Wm);
            var rle = Rle.Encode(full, Hm, Wm);
            Assert.Equal(full.ToArray().Count(b => b != 0), Rle.Area(rle));
            // The compact mask is bit-exact with the full one and encodes to the same RLE without expanding.
            var compact = CompactMask.FromFull(full, Wm, Hm);
            Assert.True(compact.ToFullMask().AsSpan().SequenceEqual(full), $"mask {k}: compact form differs");
            Assert.Equal(rle, compact.ToRle());
            Assert.Equal(Rle.Area(rle), compact.Area);
            Assert.True(compact.Width * compact.Height < Wm * Hm, $"mask {k}: not cropped");
            instances[k] = new Detection(boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3], scores[k], labels[k],
                CocoCategories.Names[labels[k]], compact);
        }
        var result = new DetectionResult("input", "input.png", Size(Wm, Hm), 80, instances);
        string path = CocoResultsWriter.Write(_dir, [result]);
        // One image's JSON is exactly its part of results.json.
        Assert.Equal(File.ReadAllText(path), result.ToCocoJson());
        Assert.Equal(result.ToCocoJson(), "[" + string.Join(",", instances.Select(d => d.ToCocoJson("input", "input.png", 80))) + "]");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(N, list.Length);
        for (int k = 0; k < N; k++)
        {
            var bbox = list[k].GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal((double)boxes[4 * k], bbox[0]);
            Assert.Equal((double)boxes[4 * k + 1], bbox[1]);
            Assert.Equal((double)boxes[4 * k + 2] - boxes[4 * k], bbox[2]);
            Assert.Equal((double)boxes[4 * k + 3] - boxes[4 * k + 1], bbox[3]);
            Assert.Equal((double)scores[k], list[k].GetProperty("score").GetDouble());
            Assert.Equal(CocoCategories.Ids[labels[k]], list[k].GetProperty("category_id").GetInt32());
            var seg = list[k].GetProperty("segmentation");
            var decoded = Rle.Decode(new CocoRle(Hm, Wm, seg.GetProperty("counts").GetString()!));
            Assert.True(decoded.AsSpan().SequenceEqual(masks.Data.AsSpan(k * Hm * Wm, Hm * Wm)), $"mask {k} changed");
        }
    }
}
