namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks a mask-paste call.</summary>
    public static void PasteMasks(IBackend b, Tensor probs, int factor, int cropH, int cropW, Tensor masks)
    {
        const string op = "paste_masks";
        Nchw(op, "probs", probs);
        Require(op, "masks", masks, DType.UInt8, 3);
        OnBackend(op, b, probs, masks);
        if (probs.Dim(1) != 1) throw new ArgumentException($"{op}: probs must have one channel, found {probs}");
        if (masks.Dim(0) != probs.Dim(0))
            throw new ArgumentException($"{op}: masks {masks} must hold one mask per instance of probs {probs}");
        if (factor < 1) throw new ArgumentException($"{op}: factor must be ≥ 1, found {factor}");
        if (cropH < 1 || cropW < 1 || cropH > (long)factor * probs.Dim(2) || cropW > (long)factor * probs.Dim(3))
            throw new ArgumentException($"{op}: crop {cropH}x{cropW} must be at least 1x1 and within {factor}x the size of probs {probs}");
    }
}
