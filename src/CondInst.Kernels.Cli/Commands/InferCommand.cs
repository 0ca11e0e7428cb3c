using System.CommandLine;
using CondInst.Kernels.Cli.Progress;
using CondInst.Kernels.Coco;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// <c>infer</c>: detect instances in one image or a folder; writes results.json, overlays and optional stage dumps.
/// Over a folder, an image that cannot be loaded is named on stderr and skipped (exit code
/// <see cref="ExitCodes.FilesSkipped"/>), unless --fail-fast.
/// </summary>
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
        var maskThr = ArgumentRules.Fraction("--mask-thr", "Mask probability threshold from 0 to 1 (overrides the model's mask_thr)");
        var nmsIou = new Option<float?>("--nms-iou") { Description = "NMS IoU threshold, above 0 up to 1 (overrides the model's iou_threshold)" };
        var classes = new Option<string?>("--classes") { Description = "Keep only these classes, by name, comma-separated (e.g. circle,square)" };
        var dump = new Option<bool>("--dump") { Description = "Write every stage as .npy under OUT/dump/<image>/" };
        var shard = new Option<string?>("--shard") { Description = "With --images: worker i of n (i/n, 0-based) takes its share of the sorted files and writes into OUT/shard-i-of-n/ (join with merge)" };
        var overlayThr = ArgumentRules.Fraction("--overlay-thr", "Minimum score from 0 to 1 of the instances drawn on the overlays (default 0.3; results.json keeps all)");
        var noOverlay = new Option<bool>("--no-overlay") { Description = "Write no overlay images (results.json and dumps only)" };
        var failFast = new Option<bool>("--fail-fast") { Description = "Stop at the first image that cannot be loaded (default: name it, skip it, go on)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress display (warnings and skipped files are still reported)" };
        var ann = new Option<string?>("--ann") { Description = "COCO annotation file: write each result's image_id as its integer id (by file_name); without it, the file stem" };
        var command = new Command("infer", "Detect instances: writes OUT/results.json (COCO results), OUT/<image>.png overlays and, with --dump, stage dumps.")
        {
            weights, image, images, output, device, scoreThr, maxDets, maskThr, nmsIou, classes, dump, overlayThr, noOverlay, failFast, quiet, ann, shard,
        };
        var limits = new LimitOptions(command, images: true);
        command.Validators.Add(r =>
        {
            bool one = r.GetResult(image) is not null, many = r.GetResult(images) is not null;
            if (one == many) r.AddError("give exactly one of --image FILE or --images DIR");
            if (r.GetValue(nmsIou) is { } n && n is not (> 0 and <= 1)) r.AddError($"--nms-iou must be above 0 and at most 1, got {n}");
            if (r.GetResult(shard) is not null && !many) r.AddError("--shard needs --images DIR");
        });
        command.SetAction(r =>
        {
            string? single = r.GetValue(image);
            IReadOnlyList<string> files;
            if (single != null)
            {
                files = [single];
            }
            else
            {
                string folder = r.GetValue(images)!;
                if (!Directory.Exists(folder)) throw new UsageException($"--images: folder '{folder}' does not exist");
                try
                {
                    files = InferenceJob.ImagesIn(folder);
                }
                catch (FileNotFoundException e)
                {
                    stderr.WriteLine($"error: {e.Message}"); // the folder holds no image files
                    return ExitCodes.NothingProcessed;
                }
            }
            string outDir = r.GetValue(output)!;
            if (r.GetValue(shard) is { } shardText)
            {
                var s = Shard.Parse(shardText);
                (files, outDir) = (s.Take(files), Path.Combine(outDir, s.FolderName));
                if (files.Count == 0) return MergeCommand.WriteEmptyShard(outDir, stdout);
            }
            var imageIds = r.GetValue(ann) is string annPath ? EvalCommand.ImageIdsOf(CocoDataset.Load(annPath), files) : null;
            var options = new ModelOptions
            {
                ScoreThreshold = r.GetValue(scoreThr),
                MaxDetections = r.GetValue(maxDets),
                MaskThreshold = r.GetValue(maskThr),
                IouThreshold = r.GetValue(nmsIou),
                Limits = limits.Importer(r),
                ImageLimits = limits.Image(r),
            };
            // One image is the whole run: it cannot be skipped, so it fails as --fail-fast would.
            var request = new InferenceRequest(r.GetValue(weights)!, files, outDir, r.GetValue(device)!, options, r.GetValue(dump),
                r.GetValue(overlayThr) ?? 0.3f, FailFast: single != null || r.GetValue(failFast), Overlays: !r.GetValue(noOverlay),
                Classes: ClassList(r.GetValue(classes)), ImageIds: imageIds);
            var summary = ImageProgress.Run(stderr, r.GetValue(quiet), files.Count, progress =>
                InferenceJob.Run(request, progress.Report, w => progress.Line($"warning: {w}"), s => progress.Line($"skipped: {s.File}: {s.Reason}")));
            stdout.WriteLine($"device: {summary.Device}");
            string skipped = summary.Skipped.Count == 0 ? "" : $"; {summary.Skipped.Count} file(s) skipped (named on stderr)";
            stdout.WriteLine($"{summary.Instances} instance(s) in {summary.Processed} image(s){skipped}");
            stdout.WriteLine($"results:  {summary.ResultsJson}");
            foreach (var o in summary.Overlays) stdout.WriteLine($"overlay:  {o}");
            foreach (var d in summary.DumpFolders) stdout.WriteLine($"dump:     {d}");
            if (summary.Processed == 0)
            {
                stderr.WriteLine($"error: none of the {files.Count} image(s) could be loaded");
                return ExitCodes.NothingProcessed;
            }
            return summary.Skipped.Count > 0 ? ExitCodes.FilesSkipped : ExitCodes.Ok;
        });
        return command;
    }

    // "circle, square" -> [circle, square]; names are checked against the model's once it is loaded.
    private static List<string>? ClassList(string? text)
    {
        if (text is null) return null;
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        return names.Count > 0 ? names : throw new UsageException("--classes: give at least one class name (e.g. --classes circle,square)");
    }
}
