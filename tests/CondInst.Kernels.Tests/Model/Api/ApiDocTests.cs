using System.Text.RegularExpressions;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Api;

/// <summary>
/// docs/API.md cannot drift from the code: its csharp blocks are the regions of <see cref="ApiExamples"/> (compiled
/// with the tests), compared text for text, and the examples run here on the shipped demo model.
/// </summary>
public sealed class ApiDocTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("api").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Demo => Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo");

    private static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CondInst.Kernels.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("repository root (CondInst.Kernels.sln) not found above " + AppContext.BaseDirectory);
    }

    private static string Dedent(IEnumerable<string> lines)
    {
        var list = lines.Select(l => l.TrimEnd()).ToList();
        int indent = list.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", list.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    [Fact]
    public void EveryDocumentedExampleIsTheCompiledOneVerbatim()
    {
        var code = File.ReadAllLines(RepoFile("tests", "CondInst.Kernels.Tests", "Model", "Api", "ApiExamples.cs"));
        var regions = new Dictionary<string, string>();
        for (int i = 0; i < code.Length; i++)
        {
            var m = Regex.Match(code[i], @"^\s*// doc:begin (\w+)$");
            if (!m.Success) continue;
            int end = Array.FindIndex(code, i + 1, l => l.Trim() == "// doc:end");
            regions[m.Groups[1].Value] = Dedent(code[(i + 1)..end]);
        }
        string doc = File.ReadAllText(RepoFile("docs", "API.md")).Replace("\r\n", "\n");
        var blocks = Regex.Matches(doc, @"<!-- example: (\w+) -->\n```csharp\n(.*?)\n```", RegexOptions.Singleline);
        Assert.Equal(regions.Keys.Order(), blocks.Select(b => b.Groups[1].Value).Order());
        foreach (Match b in blocks)
            Assert.True(regions[b.Groups[1].Value] == b.Groups[2].Value, $"docs/API.md example '{b.Groups[1].Value}' differs from ApiExamples.cs:\n{b.Groups[2].Value}\n---\n{regions[b.Groups[1].Value]}");
        // Every csharp block of the document is one of the checked examples.
        Assert.Equal(blocks.Count, Regex.Matches(doc, "```csharp").Count);
    }

    [Fact]
    public async Task TheExamplesRunOnTheDemoModel()
    {
        string image = Path.Combine(Demo, "demo_1.png");
        var output = new StringWriter();
        var result = ApiExamples.LoadAndPredict(Path.Combine(Demo, "shapes.pth"), image, output);
        Assert.NotEmpty(result.Instances);
        Assert.Equal(result.Instances.Count, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("demo_1.png", result.FileName);

        using var model = CondInstModel.Load(Path.Combine(Demo, "shapes.pth"), "cpu");
        var reference = model.Predict(image);
        var (fromStream, fromBytes, fromImage) = ApiExamples.OtherInputs(model, image);
        foreach (var other in new[] { fromStream, fromBytes, fromImage, await ApiExamples.PredictAsync(model, image) })
        {
            // Same pixels (a PNG decodes losslessly everywhere), so the same detections; only the name differs.
            Assert.Equal(Strip(reference), Strip(other));
        }

        string folder = Path.Combine(_dir, "images");
        Directory.CreateDirectory(folder);
        foreach (var k in new[] { 1, 2, 3 }) File.Copy(Path.Combine(Demo, $"demo_{k}.png"), Path.Combine(folder, $"demo_{k}.png"));
        var (batch, json) = await ApiExamples.Batch(model, folder, _dir);
        Assert.Equal(["demo_1.png", "demo_2.png", "demo_3.png"], batch.Select(r => r.FileName));
        Assert.Equal(Strip(reference), Strip(batch[0]));
        Assert.Equal(batch.Select(r => r.Instances.Count), [.. new[] { 1, 2, 3 }.Select(k => model.Predict(Path.Combine(folder, $"demo_{k}.png")).Instances.Count)]);
        Assert.True(File.Exists(json));

        var (full, rle, oneJson) = ApiExamples.Masks(reference);
        Assert.Equal(reference.Width * reference.Height, full.Length);
        Assert.Equal(Rle.Encode(full, reference.Height, reference.Width), rle);
        Assert.Equal(reference.Instances[0].Mask.Area, full.Count(b => b == 1));
        Assert.StartsWith("[{\"image_id\":\"demo_1\",\"file_name\":\"demo_1.png\"", oneJson);

        string overlay = Path.Combine(_dir, "overlay.png");
        ApiExamples.Draw(reference, image, overlay);
        Assert.True(new FileInfo(overlay).Length > 0);
    }

    private static string Strip(DetectionResult r) =>
        string.Join(";", r.Instances.Select(d => $"{d.X1},{d.Y1},{d.X2},{d.Y2},{d.Score},{d.Label},{d.ToRle().Counts}"));
}
