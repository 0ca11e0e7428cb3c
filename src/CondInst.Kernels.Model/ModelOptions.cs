using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Model;

/// <summary>Overrides of a model's test-time settings (null keeps the model's own value).</summary>
public sealed record ModelOptions
{
    /// <summary>Minimum class probability of a candidate (score_thr).</summary>
    public float? ScoreThreshold { get; init; }

    /// <summary>Maximum detections per image (max_per_img).</summary>
    public int? MaxDetections { get; init; }

    /// <summary>Mask probability threshold (mask_thr).</summary>
    public float? MaskThreshold { get; init; }

    /// <summary>NMS IoU threshold.</summary>
    public float? IouThreshold { get; init; }

    /// <summary>Candidates kept per level before NMS (nms_pre).</summary>
    public int? NmsPre { get; init; }

    /// <summary>Resize scale (long side, short side).</summary>
    public (int Long, int Short)? TestScale { get; init; }

    /// <summary>Resource limits for reading the checkpoint (null: <see cref="ImporterLimits.Default"/>).</summary>
    public ImporterLimits? Limits { get; init; }

    /// <summary>Resource limits for the images <c>CondInstModel.Predict</c> overloads decode (null: <see cref="Model.ImageLimits.Default"/>).</summary>
    public ImageLimits? ImageLimits { get; init; }

    /// <summary>
    /// Threads of this model's own CPU worker pool when it runs on the <c>cpu</c> device (the calling thread
    /// included). Two models given 4 and 12 split a 16-core machine that way. Null shares the process-wide pool: one
    /// thread per logical processor, or the number in the environment variable <c>CONDINST_CPU_THREADS</c>.
    /// Ignored on GPU devices and by <see cref="CondInstModel.Create(IBackend, WeightSet, TestSettings, IReadOnlyList{string}?)"/>
    /// (the caller's backend decides).
    /// </summary>
    public int? CpuThreads { get; init; }

    /// <summary>Applies these overrides to <paramref name="settings"/>, noting them in the source.</summary>
    public TestSettings Apply(TestSettings settings)
    {
        var changed = new List<string>();
        var s = settings;
        if (ScoreThreshold is { } st) { Check(st is >= 0 and <= 1, "score threshold", st); s = s with { ScoreThreshold = st }; changed.Add("score_thr"); }
        if (MaxDetections is { } md) { Check(md > 0, "max detections", md); s = s with { MaxPerImage = md }; changed.Add("max_per_img"); }
        if (MaskThreshold is { } mt) { Check(mt is >= 0 and <= 1, "mask threshold", mt); s = s with { MaskThreshold = mt }; changed.Add("mask_thr"); }
        if (IouThreshold is { } iou) { Check(iou is > 0 and <= 1, "IoU threshold", iou); s = s with { IouThreshold = iou }; changed.Add("iou_threshold"); }
        if (NmsPre is { } np) { Check(np > 0, "nms_pre", np); s = s with { NmsPre = np }; changed.Add("nms_pre"); }
        if (CpuThreads is { } ct) Check(ct >= 1, "CPU thread count", ct);
        if (TestScale is { } sc) { Check(sc.Long > 0 && sc.Short > 0, "test scale", sc); s = s with { ScaleLong = sc.Long, ScaleShort = sc.Short }; changed.Add("scale"); }
        return changed.Count == 0 ? s : s with { Source = $"{settings.Source}; overridden: {string.Join(", ", changed)}" };
    }

    private static void Check(bool ok, string what, object value)
    {
        if (!ok) throw new ArgumentOutOfRangeException(what, value, $"{what} {value} is out of range");
    }
}
