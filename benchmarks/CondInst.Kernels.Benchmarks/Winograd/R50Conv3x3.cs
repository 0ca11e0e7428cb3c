namespace CondInst.Kernels.Benchmarks.Winograd;

/// <summary>
/// One 3x3 stride-1 convolution of the R-50 CondInst at the 1333x800 test scale (input padded to 800x1344; FPN
/// levels P3..P7 at 100x168, 50x84, 25x42, 13x21, 7x11), with what kind of activation feeds it.
/// </summary>
/// <param name="Name">The state-dict module (several when they share shape and input kind).</param>
/// <param name="Cin">Input channels.</param>
/// <param name="Cout">Output channels.</param>
/// <param name="H">Input (and output) height.</param>
/// <param name="W">Input (and output) width.</param>
/// <param name="AfterRelu">True when the input comes out of a ReLU (non-negative, about half zeros), false for the
/// signed FPN sums.</param>
public sealed record R50Conv3x3(string Name, int Cin, int Cout, int H, int W, bool AfterRelu)
{
    /// <summary>The distinct 3x3 stride-1 layers (shapes from tests/CondInst.Kernels.Tests/Fixtures/r50/state_dict_r50.txt, sizes from docs/INFERENCE.md#sizes).</summary>
    public static IReadOnlyList<R50Conv3x3> All { get; } =
    [
        new("backbone.layer1.*.conv2", 64, 64, 200, 336, true),
        new("backbone.layer2.[1-3].conv2", 128, 128, 100, 168, true),
        new("backbone.layer3.[1-5].conv2", 256, 256, 50, 84, true),
        new("backbone.layer4.[1-2].conv2", 512, 512, 25, 42, true),
        new("neck.fpn_convs.0 (P3)", 256, 256, 100, 168, false),
        new("neck.fpn_convs.1 (P4)", 256, 256, 50, 84, false),
        new("neck.fpn_convs.2 (P5)", 256, 256, 25, 42, false),
        new("bbox_head.{cls,reg}_convs.0 @P3", 256, 256, 100, 168, false),
        new("bbox_head.{cls,reg}_convs.0 @P7", 256, 256, 7, 11, false),
        new("bbox_head.{cls,reg}_convs.[1-3] @P3", 256, 256, 100, 168, true),
        new("bbox_head.{cls,reg}_convs.[1-3] @P4", 256, 256, 50, 84, true),
        new("bbox_head.{cls,reg}_convs.[1-3] @P5", 256, 256, 25, 42, true),
        new("bbox_head.{cls,reg}_convs.[1-3] @P6", 256, 256, 13, 21, true),
        new("bbox_head.{cls,reg}_convs.[1-3] @P7", 256, 256, 7, 11, true),
        new("bbox_head.conv_cls @P3", 256, 80, 100, 168, true),
        new("bbox_head.controller @P3", 256, 169, 100, 168, true),
        new("bbox_head.conv_reg @P3", 256, 4, 100, 168, true),
        new("bbox_head.conv_centerness @P3", 256, 1, 100, 168, true),
        new("mask_feature_head.convs_all_levels.0 (P3)", 256, 128, 100, 168, false),
        new("mask_feature_head.convs_all_levels.1 (P4)", 256, 128, 50, 84, false),
        new("mask_feature_head.convs_all_levels.2 (P5)", 256, 128, 25, 42, false),
        new("mask_feature_head.conv_branch.[0-3]", 128, 128, 100, 168, true),
    ];

    /// <summary>The layer's spec: 3x3, stride 1, padding 1.</summary>
    public ConvSpec Spec => ConvSpec.Square(Cin, Cout, 3, pad: 1);

    /// <summary>"cin→cout @HxW".</summary>
    public string Shape => $"{Cin}→{Cout} @{H}x{W}";

    /// <summary>
    /// Weights scaled like a trained, BatchNorm-folded net: He-normal (std √(2 / 9·Cin)) times a per-output-channel
    /// factor exp(N(0, 0.4²)), the spread of folded BN scales.
    /// </summary>
    public float[] Weights(Random rng)
    {
        var w = new float[Cout * Cin * 9];
        double std = Math.Sqrt(2.0 / (9 * Cin));
        for (int o = 0; o < Cout; o++)
        {
            double s = std * Math.Exp(0.4 * Normal(rng));
            for (int i = 0; i < Cin * 9; i++) w[o * Cin * 9 + i] = (float)(s * Normal(rng));
        }
        return w;
    }

    /// <summary>
    /// Activations like a feature map's: each channel a spatially smooth field (white noise blurred twice by a 3x3
    /// box, so neighbours correlate as in images) with its own mean and spread; after a ReLU, max(0, ·).
    /// </summary>
    public float[] Input(Random rng)
    {
        var x = new float[Cin * H * W];
        var a = new double[H * W];
        var b = new double[H * W];
        for (int c = 0; c < Cin; c++)
        {
            for (int i = 0; i < a.Length; i++) a[i] = Normal(rng);
            Blur(a, b);
            Blur(b, a);
            double sum = 0, sq = 0;
            foreach (double v in a) { sum += v; sq += v * v; }
            double mean = sum / a.Length, sd = Math.Sqrt(Math.Max(sq / a.Length - mean * mean, 1e-12));
            double mu = 0.5 * Normal(rng), sigma = Math.Exp(0.5 * Normal(rng));
            for (int i = 0; i < a.Length; i++)
            {
                double v = (a[i] - mean) / sd * sigma + mu;
                x[c * H * W + i] = (float)(AfterRelu ? Math.Max(v, 0) : v);
            }
        }
        return x;
    }

    // 3x3 box blur with clamped borders.
    private void Blur(double[] src, double[] dst)
    {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double s = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        s += src[Math.Clamp(y + dy, 0, H - 1) * W + Math.Clamp(x + dx, 0, W - 1)];
                dst[y * W + x] = s / 9;
            }
    }

    /// <summary>A standard normal sample (Box-Muller).</summary>
    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
