using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// Which weight forms a prepared cpu convolution holds (<see cref="CpuConv.PreparedBytes"/>): a convolution that runs
/// again at the size and tile of its first call drops its GEMM panels and keeps only its Winograd form; one that runs
/// at several sizes (the head's) keeps every form it used. A form needed after the panels were dropped is remade from
/// the Winograd form, and its output is checked against a convolution prepared from the original weights.
/// </summary>
public sealed class ConvWeightFormTests
{
    private const int Cin = 16, Cout = 16;

    // Output sizes and the tile the shape rule gives them for 16 output channels (see ConvAlgorithmTests).
    private const int H4 = 100, W4 = 152; // F(4x4)
    private const int H2 = 50, W2 = 76;   // F(2x2)
    private const int HG = 13, WG = 19;   // GEMM

    private static readonly ConvSpec Spec = ConvSpec.Square(Cin, Cout, 3, pad: 1);

    // Floats of each form: GEMM panels (K·MR per row panel), F(m x m) ((m+2)²·Cin·MR per row panel), biases.
    private static readonly long Panels = 3 * 9 * Cin * 6 * 4, F2 = 3 * 16 * Cin * 6 * 4, F4 = 3 * 36 * Cin * 6 * 4, Biases = 3 * 6 * 4;

    [Fact]
    public void OneSizeConvolutionKeepsOnlyItsWinogradForm()
    {
        if (!ConvWinograd.Supported) return; // no AVX2 + FMA: the GEMM only, nothing to drop
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        Assert.Equal(Panels + Biases, c.PreparedBytes);
        var first = Run(b, c, H4, W4);
        Assert.Equal(Panels + F4 + Biases, c.PreparedBytes);
        var second = Run(b, c, H4, W4);
        Assert.Equal(F4 + Biases, c.PreparedBytes);
        Assert.Equal(first, second); // the same F(4x4) weights: bit-identical
    }

    [Fact]
    public void SeveralSizesKeepEveryFormUsed()
    {
        if (!ConvWinograd.Supported) return;
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        foreach (var (h, wd) in new[] { (H4, W4), (H2, W2), (HG, WG), (H4, W4), (H2, W2), (HG, WG) }) Run(b, c, h, wd);
        Assert.Equal(Panels + F4 + F2 + Biases, c.PreparedBytes);
    }

    [Theory]
    [InlineData(H4, W4)] // panels and F(2x2) remade from F(4x4)
    [InlineData(H2, W2)] // panels and F(4x4) remade from F(2x2)
    public void DroppedFormsAreRemadeFromTheWinogradForm(int h, int wd)
    {
        if (!ConvWinograd.Supported) return;
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        using var fresh = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        Run(b, c, h, wd);
        Run(b, c, h, wd);
        Assert.Equal((h == H4 ? F4 : F2) + Biases, c.PreparedBytes);
        foreach (var (oh, ow) in new[] { (HG, WG), (H4, W4), (H2, W2) })
        {
            var remade = Run(b, c, oh, ow);
            var original = Run(b, fresh, oh, ow);
            float max = original.Max(MathF.Abs);
            float err = remade.Zip(original, (p, q) => MathF.Abs(p - q)).Max();
            // The remade weights carry the Winograd form's rounding (about 1e-7 of a kernel's largest weight); a
            // wrong inverse would be off by the size of the outputs.
            Assert.True(err <= 2e-6f * max, $"{oh}x{ow} after dropping at {h}x{wd}: max error {err} against max |y| {max}");
        }
        Assert.Equal(Panels + F4 + F2 + Biases, c.PreparedBytes);
    }

    private static (float[] W, float[] Bias, float[] Scale) Weights()
    {
        var rng = new Random(14);
        return (RandomData.Floats(rng, Spec.WeightCount), RandomData.Floats(rng, Cout), RandomData.Floats(rng, Cout, 0.5f, 2f));
    }

    // One convolution of a random input with padding 1, so the output is h x w.
    private static float[] Run(CpuBackend b, CpuConv c, int h, int w)
    {
        var x = RandomData.Floats(new Random(h * 1000 + w), Cin * h * w);
        using var xt = b.Upload<float>(x, 1, Cin, h, w);
        using var y = b.Allocate(DType.Float32, 1, Cout, h, w);
        b.Conv2d(c, xt, y);
        var result = new float[Cout * h * w];
        b.Download<float>(y, result);
        return result;
    }
}
