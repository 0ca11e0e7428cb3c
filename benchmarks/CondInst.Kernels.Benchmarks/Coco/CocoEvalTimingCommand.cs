using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CondInst.Kernels.Coco;

namespace CondInst.Kernels.Benchmarks.Coco;

/// <summary>
/// <c>coco-eval</c>: times the C# COCO evaluation on a synthetic set of COCO val2017's size (default 5,000 images
/// of 640x480, 36,000 annotations in 80 categories, about 1% crowd regions as uncompressed RLE, the rest
/// polygons; one jittered detection for most objects plus false positives, up to 100 per image, with boxes
/// and compressed-RLE masks, scores in hundredths so that ties occur). The set is made from a fixed seed, so a
/// run is repeatable; it is written to OUT/gt.json and OUT/results.json (pycocotools can score the same files).
/// </summary>
public static class CocoEvalTimingCommand
{
    private const int MaxImages = 50_000;
    private const int MaxAnnotations = 500_000;
    private const int Width = 640, Height = 480, Categories = 80;

    public static Command Create(TextWriter stdout)
    {
        var images = new Option<int>("--images") { Description = $"Images (at most {MaxImages}).", DefaultValueFactory = _ => 5000 };
        var annotations = new Option<int>("--annotations") { Description = $"Ground-truth objects (at most {MaxAnnotations}).", DefaultValueFactory = _ => 36000 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the synthetic set.", DefaultValueFactory = _ => 2017 };
        var output = new Option<string>("--out") { Description = "Folder for gt.json and results.json (large: keep it out of the repository).", DefaultValueFactory = _ => "out/coco-eval" };
        var command = new Command("coco-eval", "Time COCO bbox+segm evaluation on a synthetic COCO-val2017-sized set.") { images, annotations, seed, output };
        command.SetAction(r => Run(r.GetValue(images), r.GetValue(annotations), r.GetValue(seed), r.GetValue(output)!, stdout));
        return command;
    }

    public static int Run(int images, int annotations, int seed, string outDir, TextWriter stdout)
    {
        if (images < 1 || images > MaxImages) throw new ArgumentException($"--images must be 1..{MaxImages}, found {images}");
        if (annotations < 0 || annotations > MaxAnnotations) throw new ArgumentException($"--annotations must be 0..{MaxAnnotations}, found {annotations}");
        Directory.CreateDirectory(outDir);
        string gtPath = Path.Combine(outDir, "gt.json"), dtPath = Path.Combine(outDir, "results.json");
        var clock = Stopwatch.StartNew();
        var (gtCount, dtCount) = Generate(images, annotations, seed, gtPath, dtPath);
        stdout.WriteLine(Inv($"generated {images} images, {gtCount} annotations, {dtCount} detections in {clock.Elapsed.TotalSeconds:F1} s -> {outDir}"));

        clock.Restart();
        var dataset = CocoDataset.Load(gtPath);
        double loadGt = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var detections = CocoResults.Load(dtPath, dataset);
        double loadDt = clock.Elapsed.TotalSeconds;
        stdout.WriteLine(Inv($"load: annotations {loadGt:F2} s, results {loadDt:F2} s"));
        foreach (var type in new[] { CocoIouType.Bbox, CocoIouType.Segm })
        {
            clock.Restart();
            var ev = CocoEvaluator.Evaluate(dataset, detections, type);
            stdout.WriteLine(Inv($"{CocoReport.Name(type)}: evaluate+accumulate+summarize {clock.Elapsed.TotalSeconds:F2} s, AP {ev.Stats[0]:F4}, AP50 {ev.Stats[1]:F4}"));
        }
        stdout.WriteLine(Inv($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs (the evaluation runs on one)."));
        return 0;
    }

    private static (int Gt, int Dt) Generate(int images, int annotations, int seed, string gtPath, string dtPath)
    {
        var rng = new Random(seed);
        using var gtStream = File.Create(gtPath);
        using var dtStream = File.Create(dtPath);
        using var gt = new Utf8JsonWriter(gtStream);
        using var dt = new Utf8JsonWriter(dtStream);
        gt.WriteStartObject();
        gt.WriteStartArray("images");
        for (int i = 0; i < images; i++)
        {
            gt.WriteStartObject();
            gt.WriteNumber("id", ImageId(i));
            gt.WriteString("file_name", $"{ImageId(i):D12}.jpg");
            gt.WriteNumber("width", Width);
            gt.WriteNumber("height", Height);
            gt.WriteEndObject();
        }
        gt.WriteEndArray();
        gt.WriteStartArray("categories");
        for (int k = 1; k <= Categories; k++)
        {
            gt.WriteStartObject();
            gt.WriteNumber("id", k);
            gt.WriteString("name", $"class_{k}");
            gt.WriteEndObject();
        }
        gt.WriteEndArray();
        gt.WriteStartArray("annotations");
        dt.WriteStartArray();
        int annId = 0, dets = 0;
        for (int i = 0; i < images; i++)
        {
            // Spread the annotations evenly, the remainder on the first images.
            int count = annotations / images + (i < annotations % images ? 1 : 0);
            int perImage = 0;
            for (int a = 0; a < count; a++)
            {
                int cat = 1 + rng.Next(Categories);
                var poly = RandomPolygon(rng, Size(rng));
                var rle = PolygonRasterizer.FromPolygon(poly, Height, Width);
                var box = rle.ToBox();
                bool crowd = rng.NextDouble() < 0.01;
                gt.WriteStartObject();
                gt.WriteNumber("id", ++annId);
                gt.WriteNumber("image_id", ImageId(i));
                gt.WriteNumber("category_id", cat);
                gt.WriteNumber("iscrowd", crowd ? 1 : 0);
                gt.WriteNumber("area", rle.Area);
                WriteNumbers(gt, "bbox", box);
                if (crowd)
                {
                    gt.WriteStartObject("segmentation");
                    WriteNumbers(gt, "size", [Height, Width]);
                    gt.WriteStartArray("counts");
                    foreach (uint c in rle.Counts) gt.WriteNumberValue(c);
                    gt.WriteEndArray();
                    gt.WriteEndObject();
                }
                else
                {
                    gt.WriteStartArray("segmentation");
                    WriteNumbers(gt, null, poly);
                    gt.WriteEndArray();
                }
                gt.WriteEndObject();
                if (rng.NextDouble() < 0.85 && perImage < 100)
                {
                    var moved = Jitter(rng, poly, Math.Max(1, box[2] * 0.08));
                    WriteDetection(dt, rng, ImageId(i), rng.NextDouble() < 0.9 ? cat : 1 + rng.Next(Categories), moved);
                    perImage++;
                    dets++;
                }
            }
            for (int f = rng.Next(25); f > 0 && perImage < 100; f--, perImage++, dets++)
                WriteDetection(dt, rng, ImageId(i), 1 + rng.Next(Categories), RandomPolygon(rng, Size(rng)));
        }
        gt.WriteEndArray();
        gt.WriteEndObject();
        dt.WriteEndArray();
        return (annId, dets);
    }

    private static long ImageId(int i) => 139 + 7L * i;

    // COCO val2017's mix: about 41% small, 34% medium, 25% large objects (radius in pixels).
    private static double Size(Random rng) => rng.NextDouble() switch
    {
        < 0.41 => 3 + rng.NextDouble() * 14,
        < 0.75 => 18 + rng.NextDouble() * 36,
        _ => 55 + rng.NextDouble() * 150,
    };

    private static double[] RandomPolygon(Random rng, double radius)
    {
        int n = 6 + rng.Next(12);
        double cx = radius + rng.NextDouble() * Math.Max(1, Width - 2 * radius), cy = radius + rng.NextDouble() * Math.Max(1, Height - 2 * radius);
        var xy = new double[2 * n];
        for (int j = 0; j < n; j++)
        {
            double t = 2 * Math.PI * j / n, r = radius * (0.6 + 0.4 * rng.NextDouble());
            xy[2 * j] = Math.Round(cx + r * Math.Cos(t), 2);
            xy[2 * j + 1] = Math.Round(cy + r * Math.Sin(t), 2);
        }
        return xy;
    }

    private static double[] Jitter(Random rng, double[] poly, double scale) =>
        [.. poly.Select(v => Math.Round(v + (rng.NextDouble() - 0.5) * scale, 2))];

    private static void WriteDetection(Utf8JsonWriter dt, Random rng, long imageId, int cat, double[] poly)
    {
        var rle = PolygonRasterizer.FromPolygon(poly, Height, Width);
        dt.WriteStartObject();
        dt.WriteNumber("image_id", imageId);
        dt.WriteNumber("category_id", cat);
        WriteNumbers(dt, "bbox", rle.ToBox());
        dt.WriteNumber("score", Math.Round(0.05 + 0.95 * rng.NextDouble(), 2));
        dt.WriteStartObject("segmentation");
        WriteNumbers(dt, "size", [Height, Width]);
        dt.WriteString("counts", rle.ToCompressedString());
        dt.WriteEndObject();
        dt.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter w, string? name, double[] values)
    {
        if (name is null) w.WriteStartArray();
        else w.WriteStartArray(name);
        foreach (double v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
