namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks a convolution call; returns (N, H, W, OH, OW).</summary>
    public static (int N, int H, int W, int OH, int OW) Conv2d(IBackend b, IPreparedConv conv, Tensor x, Tensor y, Tensor? residual)
    {
        const string op = "conv2d";
        var s = conv.Spec;
        Nchw(op, "x", x);
        OnBackend(op, b, x, y, residual);
        if (x.Dim(1) != s.InChannels)
            throw new ArgumentException($"{op}: x has {x.Dim(1)} channels, the convolution expects {s.InChannels} ({x})");
        int n = x.Dim(0), h = x.Dim(2), w = x.Dim(3);
        int oh = s.OutH(h), ow = s.OutW(w);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"{op}: input {x} is too small for kernel {s.KernelH}x{s.KernelW} with padding {s.PadH},{s.PadW}");
        RequireShape(op, "y", y, DType.Float32, n, s.OutChannels, oh, ow);
        if (residual != null) RequireShape(op, "residual", residual, DType.Float32, n, s.OutChannels, oh, ow);
        return (n, h, w, oh, ow);
    }

    /// <summary>Checks a prepared convolution's weights; returns nothing, throws on mismatch.</summary>
    public static void ConvWeights(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale)
    {
        spec.Validate();
        if (weight.Length != spec.WeightCount)
            throw new ArgumentException($"conv2d: weight has {weight.Length} elements, {spec} needs {spec.WeightCount}");
        if (!bias.IsEmpty && bias.Length != spec.OutChannels)
            throw new ArgumentException($"conv2d: bias has {bias.Length} elements, expected {spec.OutChannels} or none");
        if (!scale.IsEmpty && scale.Length != spec.OutChannels)
            throw new ArgumentException($"conv2d: scale has {scale.Length} elements, expected {spec.OutChannels} or none");
    }
}
