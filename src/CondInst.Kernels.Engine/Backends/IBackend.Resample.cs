namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// Max pooling over NCHW float32 with a square window; padded positions never win (PyTorch semantics,
    /// ceil_mode false). y is [N, C, (H + 2p - k)/s + 1, (W + 2p - k)/s + 1].
    /// </summary>
    void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y);

    /// <summary>
    /// Nearest-neighbour resize of NCHW float32 to y's spatial size with PyTorch's legacy 'nearest' rule:
    /// scale = (float)in/out, src = min(floor(dst * scale), in - 1), per axis.
    /// </summary>
    void UpsampleNearest(Tensor x, Tensor y);

    /// <summary>
    /// Bilinear resize of NCHW float32 to y's spatial size, no antialiasing (PyTorch F.interpolate).
    /// align_corners true: src = dst * (in-1)/(out-1) (0 when out = 1). False: src = max((dst + 0.5) * in/out - 0.5, 0).
    /// Neighbours i0 = floor(src), i1 = min(i0 + 1, in - 1), a = src - i0. As PyTorch's CPU kernel evaluates it:
    /// each of the two source rows is interpolated along W, t = (1-ax)·v[i0x] + ax·v[i1x], then
    /// out = (1-ay)·t0 + ay·t1, all in float32.
    /// </summary>
    void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners);

    /// <summary>
    /// CondInst's aligned_bilinear by integer <paramref name="factor"/> of NCHW float32, cropped to y's size
    /// (y's H ≤ factor·H, W ≤ factor·W; the top-left part of the full result). Per axis for output index Y:
    /// u = max(Y - factor/2, 0), i0 = u / factor, a = (u % factor) / factor,
    /// out = (1-a)·in[i0] + a·in[min(i0+1, h-1)]; evaluated like <see cref="UpsampleBilinear"/> (along W within
    /// the two source rows, then along H), in float32. factor 1 copies.
    /// </summary>
    void AlignedBilinear(Tensor x, int factor, Tensor y);
}
