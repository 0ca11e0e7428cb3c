namespace CondInst.Kernels;

public partial interface IBackend
{
    /// <summary>
    /// Resizes a uint8 HWC image (any channel count) to y's [H2, W2, C], equal byte for byte to Pillow's
    /// <c>Image.resize(size, BILINEAR)</c>: per axis a triangle filter whose support widens by the downscale factor,
    /// 22-bit fixed-point weights, horizontal pass first through a rounded uint8 intermediate, then vertical.
    /// An axis whose size does not change is not filtered.
    /// </summary>
    void ResizePillowBilinear(Tensor x, Tensor y);

    /// <summary>
    /// Converts a uint8 HWC 3-channel image into a float32 [1, 3, Hp, Wp] tensor (Hp ≥ H, Wp ≥ W):
    /// channel c of y reads channel (<paramref name="reverseChannels"/> ? 2 - c : c) of x, then
    /// y = ((float)v - mean[c]) / std[c] (a true division), and positions outside the image (bottom/right) are 0.
    /// </summary>
    void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels);
}
