using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Api;

/// <summary>
/// The examples of docs/API.md. Each region between "// doc:begin NAME" and "// doc:end" appears verbatim (dedented)
/// as the csharp block after "&lt;!-- example: NAME --&gt;" in the document; <see cref="ApiDocTests"/> checks that and runs them.
/// </summary>
public static class ApiExamples
{
    public static DetectionResult LoadAndPredict(string weightsPath, string imagePath, TextWriter output)
    {
        // doc:begin load
        using var model = CondInstModel.Load(weightsPath, "cpu", new ModelOptions { ScoreThreshold = 0.3f, CpuThreads = 2 });
        DetectionResult result = model.Predict(imagePath);
        foreach (Detection d in result.Instances)
            output.WriteLine($"{d.ClassName} {d.Score:F2} [{d.X1:F0}, {d.Y1:F0}, {d.X2:F0}, {d.Y2:F0}] {d.Mask.Area} px");
        // doc:end
        return result;
    }

    public static (DetectionResult FromStream, DetectionResult FromBytes, DetectionResult FromImage) OtherInputs(CondInstModel model, string imagePath)
    {
        // doc:begin inputs
        using var stream = File.OpenRead(imagePath);
        var fromStream = model.Predict(stream, "photo");
        var fromBytes = model.Predict(File.ReadAllBytes(imagePath).AsMemory(), "photo");
        using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(imagePath);
        var fromImage = model.Predict(image, "photo");
        // doc:end
        return (fromStream, fromBytes, fromImage);
    }

    public static async Task<DetectionResult> PredictAsync(CondInstModel model, string imagePath)
    {
        // doc:begin async
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        DetectionResult result = await model.PredictAsync(imagePath, timeout.Token);
        // doc:end
        return result;
    }

    public static async Task<(List<DetectionResult> Results, string Json)> Batch(CondInstModel model, string folder, string outputFolder)
    {
        // doc:begin batch
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal);
        var results = new List<DetectionResult>();
        await foreach (DetectionResult r in model.PredictBatchAsync(files))
            results.Add(r);
        string json = CocoResultsWriter.Write(outputFolder, results); // outputFolder/results.json
        // doc:end
        return (results, json);
    }

    public static (byte[] Full, CocoRle Rle, string Json) Masks(DetectionResult result)
    {
        // doc:begin masks
        Detection first = result.Instances[0];
        byte[] full = first.ToFullMask();   // Height x Width bytes, 0 or 1, row-major
        CocoRle rle = first.ToRle();        // {"size": [h, w], "counts": "..."}, as pycocotools encodes it
        string json = result.ToCocoJson();  // this image's entries of a COCO results file
        // doc:end
        return (full, rle, json);
    }

    public static void Draw(DetectionResult result, string imagePath, string overlayPath)
    {
        // doc:begin draw
        DecodedImage image = ImageLoader.Load(imagePath);
        OverlayRenderer.SavePng(overlayPath, image, [.. result.Instances.Where(d => d.Score >= 0.5f)]);
        // doc:end
    }
}
