namespace CondInst.Kernels.Tests.Reference;

public sealed partial class ReferenceBackend
{
    // Three 1x1 layers per instance as docs/INFERENCE.md#dynamic-parameters lays the 169 parameters out: W0 8x10,
    // W1 8x8, W2 1x8, b0, b1, b2. The offsets are written out here on purpose rather than read from MaskHeadLayout,
    // so that an error in the engine's layout cannot also be in the reference.
    private const int Params = 169;

    public override void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits)
    {
        int n = OpChecks.DynamicMaskHead(this, features, parameters, instances, logits);
        int h = features.Dim(2), w = features.Dim(3), hw = h * w;
        var f = F(features);
        var prm = F(parameters);
        var inst = F(instances);
        var o = Fs(logits);
        var z = new float[10];
        var h0 = new float[8];
        var h1 = new float[8];
        for (int k = 0; k < n; k++)
        {
            int b = k * Params;
            float norm = inst[3 * k + 2] * sizeOfInterest;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    float lx = (j + 0.5f) * featureStride, ly = (i + 0.5f) * featureStride;
                    z[0] = (inst[3 * k] - lx) / norm;
                    z[1] = (inst[3 * k + 1] - ly) / norm;
                    for (int c = 0; c < 8; c++) z[2 + c] = f[c * hw + i * w + j];
                    for (int q = 0; q < 8; q++)
                    {
                        double acc = prm[b + 152 + q];
                        for (int c = 0; c < 10; c++) acc += (double)prm[b + q * 10 + c] * z[c];
                        h0[q] = MathF.Max((float)acc, 0f);
                    }
                    for (int q = 0; q < 8; q++)
                    {
                        double acc = prm[b + 160 + q];
                        for (int c = 0; c < 8; c++) acc += (double)prm[b + 80 + q * 8 + c] * h0[c];
                        h1[q] = MathF.Max((float)acc, 0f);
                    }
                    double m = prm[b + 168];
                    for (int c = 0; c < 8; c++) m += (double)prm[b + 144 + c] * h1[c];
                    o[k * hw + i * w + j] = (float)m;
                }
        }
    }
}
