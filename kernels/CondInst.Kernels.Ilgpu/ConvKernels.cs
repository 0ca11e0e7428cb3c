using ILGPU;

namespace CondInst.Kernels.Ilgpu;

/// <summary>
/// Direct 2-D convolution (one thread per output element) and the shared fused epilogue
/// y = act(acc·scale[o] + bias[o] + residual). Used for depthwise, grouped and small shapes; the tiled
/// implicit GEMM (<see cref="ConvGemmKernels"/>) takes the rest.
/// </summary>
public static class ConvKernels
{
    /// <summary>Direct convolution, any geometry. Absent bias/scale/residual are passed as empty views.</summary>
    // x: NCHW [N, Cin, H, W] dense; w: [Cout, Cg, KH, KW] dense; y, residual: NCHW [N, Cout, OH, OW]
    public static void Direct(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> scale,
        ArrayView<float> residual, ArrayView<float> y, ConvParams p)
    {
        int total = p.N * p.Cout * p.OH * p.OW;
        int hw = p.H * p.W;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < total; i += stride)
        {
            int ox = i % p.OW;
            int t = i / p.OW;
            int oy = t % p.OH;
            t /= p.OH;
            int o = t % p.Cout;
            int n = t / p.Cout;
            int g = o / p.Mg;
            int xBase = (n * p.Cin + g * p.Cg) * hw;
            int wBase = o * p.Cg * p.KH * p.KW;
            int iy0 = oy * p.SH - p.PH, ix0 = ox * p.SW - p.PW;
            float acc = 0f;
            for (int ci = 0; ci < p.Cg; ci++)
            {
                for (int ky = 0; ky < p.KH; ky++)
                {
                    int iy = iy0 + ky * p.DH;
                    if (iy < 0 || iy >= p.H) continue;
                    int xRow = xBase + ci * hw + iy * p.W;
                    int wRow = wBase + (ci * p.KH + ky) * p.KW;
                    for (int kx = 0; kx < p.KW; kx++)
                    {
                        int ix = ix0 + kx * p.DW;
                        if (ix < 0 || ix >= p.W) continue;
                        acc += w[wRow + kx] * x[xRow + ix];
                    }
                }
            }
            y[i] = Epilogue(acc, o, i, bias, scale, residual, p);
        }
    }

    /// <summary>act(acc·scale[o] + bias[o] + residual[yi]) in the reference's order.</summary>
    public static float Epilogue(float acc, int o, int yi, ArrayView<float> bias, ArrayView<float> scale,
        ArrayView<float> residual, ConvParams p)
    {
        float v = acc;
        if (p.HasScale != 0) v *= scale[o];
        if (p.HasBias != 0) v += bias[o];
        if (p.HasResidual != 0) v += residual[yi];
        return p.Relu != 0 ? KernelMath.Relu(v) : v;
    }
}
