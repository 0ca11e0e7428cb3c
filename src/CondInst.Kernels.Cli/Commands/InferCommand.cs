using System.CommandLine;
using CondInst.Kernels.Coco;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary><c>infer</c>: detect instances in one image or a folder; writes results.json, overlays and optional stage dumps.</summary>
public static class InferCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var weights = new Option<string>("--weights") { Description = "Checkpoint: .pth (zip or legacy) or .safetensors", Required = true };
        var image = new Option<string?>("--image") { Description = "One image file" };
        var images = new Option<string?>("--images") { Description = "A folder of images" };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var device = new Option<string>("--device") { Description = "auto, cpu, opencl, cuda or ilgpu-cpu (optionally with :index)", DefaultValueFactory = _ => "auto" };
        var scoreThr = new Option<float?>("--score-thr") { Description = "Score threshold (overrides the model's score_thr)" };
        var maxDets = new Option<int?>("--max-dets") { Description = "Maximum detections per image (overrides max_per_img)" };
        var dump = new Option<bool>("--dump") { Description = "Write every stage as .npy under OUT/dump/<image>/" };
        var shard = new Option<string?>("--shard") { Description = "With --images: worker i of n (i/n, 0-based) takes its share of the sorted files and writes into OUT/shard-i-of-n/ (join with merge)" };
        var overlayThr = new Option<float>("--overlay-thr") { Description = "Minimum score of the instances drawn on the overlays (results.json keeps all)", DefaultValueFactory = _ => 0.3f };
        var ann = new Option<string?>("--ann") { Description = "COCO annotation file: write each result's image_id as its integer id (by file_name); without it, the file stem" };
        var command = new Command("infer", "Detect instances: writes OUT/results.json (COCO results), OUT/<image>.png overlays and, with --dump, stage dumps.")
        {
            weights, image, images, output, device, scoreThr, maxDets, dump, overlayThr, ann, shard,
        };
        command.Validators.Add(r =>
        {
            bool one = r.GetResult(image) is not null, many = r.GetResult(images) is not null;
            if (one == many) r.AddError("give exactly one of --image FILE or --images DIR");
            if (r.GetResult(shard) is not null && !many) r.AddError("--shard needs --images DIR");
        });
        command.SetAction(r =>
        {
            string? single = r.GetValue(image);
            IReadOnlyList<string> files = single != null ? [single] : InferenceJob.ImagesIn(r.GetValue(images)!);
            string outDir = r.GetValue(output)!;
            if (r.GetValue(shard) is { } shardText)
            {
                var s = Shard.Parse(shardText);
                (files, outDir) = (s.Take(files), Path.Combine(outDir, s.FolderName));
                if (files.Count == 0) return MergeCommand.WriteEmptyShard(outDir, stdout);
            }
            var imageIds = r.GetValue(ann) is string annPath ? EvalCommand.ImageIdsOf(CocoDataset.Load(annPath), files) : null;
            var request = new InferenceRequest(r.GetValue(weights)!, files, outDir, r.GetValue(device)!,
                new ModelOptions { ScoreThreshold = r.GetValue(scoreThr), MaxDetections = r.GetValue(maxDets) }, r.GetValue(dump), r.GetValue(overlayThr), imageIds);
            var progress = files.Count > 1 ? new ProgressBar(stderr) : null;
            var summary = InferenceJob.Run(request, progress is null ? null : progress.Report, w => stderr.WriteLine($"warning: {w}"));
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
