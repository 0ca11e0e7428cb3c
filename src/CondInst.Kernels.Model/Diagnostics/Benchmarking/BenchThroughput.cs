using System.Diagnostics;
using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Model.Benchmarking;

/// <summary>
/// Throughput over many images, decoding included: the same image file predicted N times one after another
/// (<see cref="CondInstModel.Predict(string, IStageObserver?)"/>), then as one <see cref="CondInstModel.PredictBatch"/>,
/// which decodes ahead and pastes each image's masks while the network runs on the next. A generated image is
/// written once as a PNG so that both decode a real file.
/// </summary>
public static class BenchThroughput
{
    /// <summary>Runs both passes over <paramref name="images"/> images and writes their rates.</summary>
    public static void Run(CondInstModel model, string image, int images, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(model);
        string? temporary = null;
        string path = image;
        if (image.StartsWith(BenchImage.SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var (bgr, w, h) = BenchImage.Load(image);
            var rgb = new byte[bgr.Length];
            for (int i = 0; i < bgr.Length; i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = (bgr[i + 2], bgr[i + 1], bgr[i]);
            using var picture = Image.LoadPixelData<Rgb24>(rgb, w, h);
            path = temporary = Path.Combine(Path.GetTempPath(), $"condinst-bench-{Environment.ProcessId}.png");
            picture.SaveAsPng(path);
        }
        try
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < images; i++) model.Predict(path);
            double sequential = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            int done = model.PredictBatch(Enumerable.Repeat(path, images)).Count();
            double batch = clock.Elapsed.TotalMilliseconds;
            if (done != images) throw new InvalidOperationException($"the batch returned {done} results for {images} images");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"throughput over {images} images (decoding included): one after another {60_000 * images / sequential:F1} images/min ({sequential / images:F1} ms each); "
                + $"PredictBatch {60_000 * images / batch:F1} images/min ({batch / images:F1} ms each), {sequential / batch:F3}x"));
        }
        finally
        {
            if (temporary is not null) File.Delete(temporary);
        }
    }
}
