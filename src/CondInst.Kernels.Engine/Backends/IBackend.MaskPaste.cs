namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// CondInst's mask paste fused into one pass: for every instance n, equal bit for bit to the chain
    /// <c>crop = AlignedBilinear(probs, factor)</c> cropped to [n, 1, <paramref name="cropH"/>, <paramref name="cropW"/>],
    /// <c>ori = UpsampleBilinear(crop, alignCorners: false)</c> to masks' [H, W], and
    /// <c>Threshold(ori, threshold)</c> (strict &gt;) into <paramref name="masks"/>, as this backend computes those
    /// operations (<see cref="AlignedBilinear"/>, <see cref="UpsampleBilinear"/>, <see cref="Threshold"/>), NaN and
    /// infinities included. probs is float32 [N, 1, h, w] with 1 ≤ cropH ≤ factor·h and 1 ≤ cropW ≤ factor·w;
    /// masks is uint8 [N, H, W] (0 or 1). No float intermediate of the crop or original size is stored.
    /// </summary>
    void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks);
}
