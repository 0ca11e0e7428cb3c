using CondInst.Kernels.Tests.Harness;

namespace CondInst.Kernels.Tests.Cpu;

/// <summary>
/// Which weight forms a prepared cpu convolution holds (<see cref="CpuConv.PreparedBytes"/>): the GEMM panels always,
/// and a Winograd form only once a call needs it; and a convolution's output never depends on the sizes it ran at
/// before (bit for bit against a freshly prepared one).
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
    public void AWinogradFormIsMadeOnlyWhenACallNeedsIt()
    {
        if (!ConvWinograd.Supported) return; // no AVX2 + FMA: GEMM only, no other form exists (asserted below)
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        Assert.Equal(Panels + Biases, c.PreparedBytes);
        var first = Run(b, c, H4, W4);
        Assert.Equal(Panels + F4 + Biases, c.PreparedBytes);
        var second = Run(b, c, H4, W4);
        Assert.Equal(Panels + F4 + Biases, c.PreparedBytes);
        Assert.Equal(first, second);
    }

    [Fact]
    public void WithoutAvx2OnlyThePanelsExist()
    {
        if (ConvWinograd.Supported) return; // covered by the pass with AVX2 and FMA off
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        foreach (var (h, wd) in new[] { (H4, W4), (H2, W2), (HG, WG) }) Run(b, c, h, wd);
        Assert.Equal(Panels + Biases, c.PreparedBytes);
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

    [Fact]
    public void OutputsDoNotDependOnTheSizesSeenBefore()
    {
        // A long-running model must give a fresh model's bits: run one convolution at F(4x4) sizes twice, then at the
        // F(2x2) and GEMM sizes, and compare each with a convolution prepared fresh for that call alone.
        var (w, bias, scale) = Weights();
        using var b = new CpuBackend();
        using var c = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
        Run(b, c, H4, W4);
        Run(b, c, H4, W4);
        foreach (var (h, wd) in new[] { (H2, W2), (HG, WG), (H4, W4) })
        {
            using var fresh = (CpuConv)b.PrepareConv(Spec, w, bias, scale);
            Assert.Equal(Run(b, fresh, h, wd), Run(b, c, h, wd));
        }
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
