namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    // Literally the chain the fused operation replaces: aligned ×factor cropped, bilinear to the original size
    // (align_corners false), strict threshold — through full float intermediates.
    public override void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks)
    {
        OpChecks.PasteMasks(this, probs, factor, cropH, cropW, masks);
        int n = probs.Dim(0), h = masks.Dim(1), w = masks.Dim(2);
        using var crop = Allocate(DType.Float32, n, 1, cropH, cropW);
        AlignedBilinear(probs, factor, crop);
        using var ori = Allocate(DType.Float32, n, 1, h, w);
        UpsampleBilinear(crop, ori, alignCorners: false);
        Threshold(ori, threshold, masks);
    }
}
