using CondInst.Kernels.Ilgpu;

namespace CondInst.Kernels;

public static partial class OpChecks
{

    /// <summary>Checks a dynamic-mask-head call; returns N.</summary>
    public static int DynamicMaskHead(IBackend b, Tensor features, Tensor parameters, Tensor instances, Tensor logits)
    {
        const string op = "dynamic_mask_head";
        OnBackend(op, b, features, parameters, instances, logits);
        Nchw(op, "features", features);
        if (features.Dim(0) != 1 || features.Dim(1) != MaskHeadLayout.FeatureChannels)
            throw new ArgumentException($"{op}: features must be [1, {MaskHeadLayout.FeatureChannels}, H, W], found {features}");
        int n = logits.Rank > 0 ? logits.Dim(0) : 0;
        RequireShape(op, "logits", logits, DType.Float32, n, 1, features.Dim(2), features.Dim(3));
        RequireShape(op, "parameters", parameters, DType.Float32, n, MaskHeadLayout.Params);
        RequireShape(op, "instances", instances, DType.Float32, n, 3);
        return n;
    }
}
