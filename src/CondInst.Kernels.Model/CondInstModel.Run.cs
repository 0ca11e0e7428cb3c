namespace CondInst.Kernels.Model;

// One prediction in two stages, so that a batch can overlap them across images: the network stage (preprocess,
// body, box selection, dynamic mask head) holds the model's backend; the mask stage (paste to the original size,
// threshold, crop) does not. In a batch on the cpu backend the mask stage runs on a second CpuBackend of its own
// (its operations keep per-backend state, so one backend cannot run two threads' operations at once) with the same
// worker pool: while the network stage of the next image has the pool, the paste runs on its own thread, and alone
// it gets every worker. A single prediction has nothing to overlap, so it pastes in the network stage on the
// model's backend, whose arena already has room for the paste (the body's peak is far larger), instead of copying
// the probabilities to the second backend's pool. The paste is the same code on the same inputs either way, so the
// masks are bit-identical. On other backends the paste is a device kernel of a few milliseconds and always stays in
// the network stage; the mask stage then only assembles the result.
public sealed partial class CondInstModel
{
    private readonly object _pasteGate = new();
    private readonly CpuBackend? _pasteBackend;

    /// <summary>The memory counters of the mask stage's own backend (cpu only; null elsewhere), for the benchmarks.</summary>
    internal MemoryStats? PasteMemory => _pasteBackend?.Memory;

    /// <summary>What the network stage hands to the mask stage: detections at the original scale and their masks, either pasted or as probabilities at stride 4 on the paste backend.</summary>
    private sealed class NetworkOutput
    {
        public required string Name { get; init; }

        public required string FileName { get; init; }

        public required ImageGeometry Geometry { get; init; }

        public required KeptHost Kept { get; init; }

        public CompactMask[]? Masks { get; init; }

        public Tensor? Probabilities { get; init; }
    }

    /// <summary>The kept detections' host arrays (boxes already at the original scale).</summary>
    private sealed record KeptHost(int Count, float[] Boxes, float[] Scores, int[] Labels);

    private DetectionResult Run(DecodedImage image, string fileName, IStageObserver? observer, CancellationToken cancel) =>
        Run(image.Bgr, image.Width, image.Height, image.Name, fileName, observer, cancel);

    private DetectionResult Run(ReadOnlySpan<byte> bgr, int width, int height, string name, string fileName, IStageObserver? observer, CancellationToken cancel)
    {
        var o = Observe(observer, cancel);
        return FinishMasks(RunNetwork(bgr, width, height, name, fileName, o, cancel, pasteHere: true), o, cancel);
    }

    private static IStageObserver Observe(IStageObserver? observer, CancellationToken cancel) =>
        cancel.CanBeCanceled ? StageObserver.Combine(observer, StageObserver.Cancellation(cancel)) : observer ?? StageObserver.None;

    // The network stage. Diagnostics see the stages through the observer; the dumps of what the fused operations
    // never materialise are made here, from the stages' outputs, and cost nothing unless an observer keeps arrays.
    private NetworkOutput RunNetwork(ReadOnlySpan<byte> bgr, int width, int height, string name, string fileName, IStageObserver o, CancellationToken cancel,
        bool pasteHere)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancel.ThrowIfCancellationRequested();
            using var workers = (Backend as CpuBackend)?.UseWorkers();
            try
            {
                return Stages(bgr, width, height, name, fileName, o, pasteHere || _pasteBackend is null);
            }
            finally
            {
                Backend.EndPass(); // the pool keeps what this pass needed, not what an earlier image did
            }
        }
    }

    // Preprocess to the dynamic mask head, and the paste when pasteHere, under the model's lock.
    private NetworkOutput Stages(ReadOnlySpan<byte> bgr, int width, int height, string name, string fileName, IStageObserver o, bool pasteHere)
    {
        var g = ImageGeometry.For(width, height, Settings.ScaleLong, Settings.ScaleShort);
        var b = Backend;
        Tensor input;
        using (var resized = Preprocessor.Resize(b, bgr, g))
        {
            input = Preprocessor.Normalize(b, resized, g);
            InputDumps.Report(o, b, resized, input);
        }
        try
        {
            o.StageDone("preprocess");
        }
        catch
        {
            input.Dispose();
            throw;
        }
        using var net = _network.Forward(input, o, consumeInput: true); // frees the input after the stem
        using var kept = BoxSelector.Select(b, net, g, Settings);
        var host = new KeptHost(kept.Count, BoxRescale.ToOriginal(kept.Boxes, g), kept.Scores, kept.Labels);
        o.StageDone("postprocess");
        CandidateDumps.Report(o, b, net, kept);
        o.Array("det_bboxes", () => NpyArray.FromFloats(host.Boxes, kept.Count, 4));
        using var probs = MaskPredictor.Probabilities(b, net.MaskFeature, kept, o);
        o.StageDone("mask_head");
        MaskDumps.ReportHead(o, b, kept, net.MaskFeature.Dim(2), net.MaskFeature.Dim(3));
        if (pasteHere)
        {
            var masks = MaskPredictor.Paste(b, probs, g, Settings.MaskThreshold);
            o.StageDone("mask_paste");
            MaskDumps.ReportPaste(o, b, probs, g, masks);
            return new NetworkOutput { Name = name, FileName = fileName, Geometry = g, Kept = host, Masks = masks };
        }
        // A host-to-host copy into the paste backend's pool (thread-safe, so no wait for a paste in progress).
        var copy = _pasteBackend!.Allocate(DType.Float32, probs.Shape.ToArray());
        b.Download<float>(probs, ((HostTensor)copy).AsSpan<float>());
        return new NetworkOutput { Name = name, FileName = fileName, Geometry = g, Kept = host, Probabilities = copy };
    }

    // The mask stage: the paste on the paste backend (cpu), then the result.
    private DetectionResult FinishMasks(NetworkOutput n, IStageObserver o, CancellationToken cancel)
    {
        var masks = n.Masks;
        if (n.Probabilities is { } probs)
        {
            using (probs)
            {
                lock (_pasteGate)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    cancel.ThrowIfCancellationRequested();
                    using var workers = (Backend as CpuBackend)?.UseWorkers();
                    masks = MaskPredictor.Paste(_pasteBackend!, probs, n.Geometry, Settings.MaskThreshold);
                    o.StageDone("mask_paste");
                    MaskDumps.ReportPaste(o, _pasteBackend!, probs, n.Geometry, masks);
                }
            }
            lock (_pasteGate) _pasteBackend!.EndPass();
        }
        var kept = n.Kept;
        var instances = new Detection[kept.Count];
        for (int i = 0; i < kept.Count; i++)
            instances[i] = new Detection(kept.Boxes[4 * i], kept.Boxes[4 * i + 1], kept.Boxes[4 * i + 2], kept.Boxes[4 * i + 3], kept.Scores[i], kept.Labels[i],
                ClassNames[kept.Labels[i]], masks![i]);
        return new DetectionResult(n.Name, n.FileName, n.Geometry, Architecture.NumClasses, instances);
    }
}
