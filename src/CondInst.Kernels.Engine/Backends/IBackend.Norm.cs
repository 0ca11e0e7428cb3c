namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// GroupNorm over NCHW float32: channels split into <paramref name="groups"/> consecutive groups; per image and
    /// group, mean and biased variance over (C/groups)·H·W values; y = (x - mean) / sqrt(var + eps) * gamma[c] + beta[c],
    /// then max(·, 0) when <paramref name="relu"/>. gamma and beta are [C]. y may be x.
    /// </summary>
    void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y);

    /// <summary>
    /// Per-channel affine over NCHW float32 (a standalone eval-mode BatchNorm): y = x * scale[c] + shift[c],
    /// then max(·, 0) when <paramref name="relu"/>. y may be x.
    /// </summary>
    void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y);
}
