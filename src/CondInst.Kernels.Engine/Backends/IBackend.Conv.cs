namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// Lays out a convolution's weights for this backend, once. <paramref name="weight"/> is
    /// [OutChannels, InChannels/Groups, KernelH, KernelW]; <paramref name="bias"/> and <paramref name="scale"/>
    /// are [OutChannels] or empty. The epilogue is <c>y = act(acc * scale[o] + bias[o] + residual)</c>, which is a
    /// convolution followed by an eval-mode BatchNorm when scale = gamma/sqrt(var+eps) and
    /// bias = beta - mean*scale. A backend may fold <paramref name="scale"/> into the weights.
    /// </summary>
    IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale);

    /// <summary>
    /// y = act(conv(x) * scale + bias + residual). x is [N, InChannels, H, W]; y and the optional
    /// <paramref name="residual"/> are [N, OutChannels, OH, OW] (OH = spec.OutH(H)). Padding reads zeros.
    /// With <paramref name="relu"/> the activation is max(·, 0), applied after the residual add.
    /// </summary>
    void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false);
}
