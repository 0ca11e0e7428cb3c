using System.CommandLine;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>infer</c>: detect instances in one image or a folder; writes results.json, overlays and optional stage dumps.</summary>
public static class InferCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var weights = ArgumentRules.Path("--weights", "Checkpoint: .pth (zip or legacy) or .safetensors");
        var image = new Option<string?>("--image") { Description = "One image file" };
        var images = new Option<string?>("--images") { Description = "A folder of images" };
        var output = ArgumentRules.Path("--out", "Output folder");
        var device = new Option<string>("--device") { Description = "auto, cpu, opencl, cuda or ilgpu-cpu (optionally with :index)", DefaultValueFactory = _ => "auto" };
        var scoreThr = ArgumentRules.Fraction("--score-thr", "Score threshold from 0 to 1 (overrides the model's score_thr)");
        var maxDets = ArgumentRules.Count("--max-dets", "Maximum detections per image, at least 1 (overrides max_per_img)");
        var dump = new Option<bool>("--dump") { Description = "Write every stage as .npy under OUT/dump/<image>/" };
        var overlayThr = ArgumentRules.Fraction("--overlay-thr", "Minimum score from 0 to 1 of the instances drawn on the overlays (default 0.3; results.json keeps all)");
        var ann = new Option<string?>("--ann") { Description = "COCO annotation file: write each result's image_id as its integer id (by file_name); without it, the file stem" };
        var command = new Command("infer", "Detect instances: writes OUT/results.json (COCO results), OUT/<image>.png overlays and, with --dump, stage dumps.")
        {
            weights, image, images, output, device, scoreThr, maxDets, dump, overlayThr, ann,
        };
        var limits = new LimitOptions(command, images: true);
        command.Validators.Add(r =>
        {
            bool one = r.GetResult(image) is not null, many = r.GetResult(images) is not null;
            if (one == many) r.AddError("give exactly one of --image FILE or --images DIR");
        });
        command.SetAction(r =>
        {
            string? single = r.GetValue(image);
            IReadOnlyList<string> files = single != null ? [single] : InferenceJob.ImagesIn(r.GetValue(images)!);
            var dataset = r.GetValue(ann) is string annPath ? EvalCommand.AnnotationsFor(annPath, files) : null;
            var request = new InferenceRequest(r.GetValue(weights)!, files, r.GetValue(output)!, r.GetValue(device)!,
                new ModelOptions { ScoreThreshold = r.GetValue(scoreThr), MaxDetections = r.GetValue(maxDets), Limits = limits.Importer(r), ImageLimits = limits.Image(r) },
                r.GetValue(dump), r.GetValue(overlayThr) ?? 0.3f);
            var progress = files.Count > 1 ? new ProgressBar(stderr) : null;
            var summary = InferenceJob.Run(request, progress is null ? null : progress.Report, w => stderr.WriteLine($"warning: {w}"));
            if (dataset != null) CondInst.Kernels.Coco.CocoResults.AssignImageIds(summary.ResultsJson, dataset, summary.ResultsJson);
            stdout.WriteLine($"device: {summary.Device}");
            stdout.WriteLine($"{summary.Instances} instance(s) in {files.Count} image(s)");
            stdout.WriteLine($"results:  {summary.ResultsJson}");
            foreach (var o in summary.Overlays) stdout.WriteLine($"overlay:  {o}");
            foreach (var d in summary.DumpFolders) stdout.WriteLine($"dump:     {d}");
            return 0;
        });
        return command;
    }
}
