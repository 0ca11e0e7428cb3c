using System.CommandLine;
using CondInst.Kernels.Coco;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// <c>eval</c>: COCO box and mask AP of a results file (<c>--results</c>), or of the model run over the annotation
/// file's images (<c>--weights --images --out</c>), equal to pycocotools' COCOeval.
/// </summary>
public static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var ann = new Option<string>("--ann") { Description = "COCO annotation file (instances_*.json)", Required = true };
        var results = new Option<string?>("--results") { Description = "COCO results file to score (image_id: the annotation file's integer ids)" };
        var weights = new Option<string?>("--weights") { Description = "Checkpoint to run over the annotation file's images (with --images and --out)" };
        var images = new Option<string?>("--images") { Description = "Folder holding the annotation file's images (by file_name)" };
        var output = new Option<string?>("--out") { Description = "Output folder for the model's results.json and overlays" };
        var device = new Option<string>("--device") { Description = "auto, cpu, opencl, cuda or ilgpu-cpu (optionally with :index)", DefaultValueFactory = _ => "auto" };
        var json = new Option<string?>("--json") { Description = "Also write {\"bbox\": {\"stats\": [12]}, \"segm\": {...}, \"per_class\": ...} here" };
        var kinds = new Option<string>("--iou-type") { Description = "What to score: bbox, segm or bbox,segm", DefaultValueFactory = _ => "bbox,segm" };
        var command = new Command("eval", "COCO evaluation (AP/AR, as pycocotools' COCOeval) of a results file or of the model on an annotated image folder.")
        {
            ann, results, weights, images, output, device, json, kinds,
        };
        command.Validators.Add(r =>
        {
            bool scoreFile = r.GetResult(results) is not null;
            bool runModel = r.GetResult(weights) is not null || r.GetResult(images) is not null || r.GetResult(output) is not null;
            if (scoreFile == runModel) r.AddError("give either --results FILE, or --weights W --images DIR --out DIR");
            else if (runModel && (r.GetResult(weights) is null || r.GetResult(images) is null || r.GetResult(output) is null))
                r.AddError("running the model needs all of --weights, --images and --out");
        });
        command.SetAction(r =>
        {
            var types = ParseKinds(r.GetValue(kinds)!);
            var dataset = CocoDataset.Load(r.GetValue(ann)!);
            string resultsPath = r.GetValue(results) ?? RunModel(dataset, r.GetValue(weights)!, r.GetValue(images)!, r.GetValue(output)!, r.GetValue(device)!, stdout, stderr);
            var detections = CocoResults.Load(resultsPath, dataset);
            var evaluations = types.Select(t => CocoEvaluator.Evaluate(dataset, detections, t)).ToList();
            if (evaluations[0].SkippedDetections > 0)
                stderr.WriteLine($"warning: {evaluations[0].SkippedDetections} detection(s) of {resultsPath} have a category_id that {dataset.Source} does not list; left out");
            stdout.Write(CocoReport.ToText(evaluations));
            if (r.GetValue(json) is string jsonPath)
            {
                CocoReport.WriteJson(jsonPath, evaluations);
                stdout.WriteLine($"json: {jsonPath}");
            }
            return 0;
        });
        return command;
    }

    private static List<CocoIouType> ParseKinds(string text)
    {
        var list = new List<CocoIouType>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var t = part switch
            {
                "bbox" => CocoIouType.Bbox,
                "segm" => CocoIouType.Segm,
                _ => throw new ArgumentException($"--iou-type: expected bbox, segm or bbox,segm, found '{part}'"),
            };
            if (!list.Contains(t)) list.Add(t);
        }
        if (list.Count == 0) throw new ArgumentException("--iou-type: expected bbox, segm or bbox,segm, found nothing");
        return list;
    }

    /// <summary>The files of the annotation file's images in <paramref name="folder"/>; a clear error naming the first missing one.</summary>
    private static List<string> ImagesOf(CocoDataset dataset, string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--images: folder '{folder}' does not exist");
        var files = new List<string>(dataset.Images.Count);
        foreach (var image in dataset.Images)
        {
            if (image.FileName is null) throw new CocoFormatException($"{dataset.Source}: image {image.Id} has no file_name, so it cannot be found in --images");
            string path = Path.Combine(folder, image.FileName);
            if (!File.Exists(path))
            {
                int missing = dataset.Images.Count(i => i.FileName is null || !File.Exists(Path.Combine(folder, i.FileName)));
                throw new FileNotFoundException($"--images: '{path}' (image {image.Id} of {dataset.Source}) does not exist ({missing} of {dataset.Images.Count} missing)");
            }
            files.Add(path);
        }
        if (files.Count == 0) throw new CocoFormatException($"{dataset.Source}: images: empty, nothing to run the model on");
        return files;
    }

    private static string RunModel(CocoDataset dataset, string weights, string folder, string output, string device, TextWriter stdout, TextWriter stderr)
    {
        var files = ImagesOf(dataset, folder);
        var request = new InferenceRequest(weights, files, output, device, new ModelOptions(), Dump: false);
        var progress = files.Count > 1 ? new ProgressBar(stderr) : null;
        var summary = InferenceJob.Run(request, progress is null ? null : progress.Report, w => stderr.WriteLine($"warning: {w}"));
        CocoResults.AssignImageIds(summary.ResultsJson, dataset, summary.ResultsJson);
        stdout.WriteLine($"device: {summary.Device}");
        stdout.WriteLine($"{summary.Instances} instance(s) in {files.Count} image(s); results: {summary.ResultsJson}");
        return summary.ResultsJson;
    }

    /// <summary>
    /// For <c>infer --ann</c>: the annotation file, checked to list every image about to be processed (so the
    /// run fails before any work, not after).
    /// </summary>
    internal static CocoDataset AnnotationsFor(string annPath, IReadOnlyList<string> files)
    {
        var dataset = CocoDataset.Load(annPath);
        foreach (var f in files)
            if (dataset.FindImageByFileName(Path.GetFileName(f)) is null)
                throw new CocoFormatException($"--ann: '{Path.GetFileName(f)}' is not the file_name of an image of {annPath}");
        return dataset;
    }
}
