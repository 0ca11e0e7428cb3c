namespace CondInst.Kernels.Model;

/// <summary>
/// One convolution of the network with its eval-mode BatchNorm (if any) folded into the epilogue:
/// scale = gamma / sqrt(running_var + eps), bias = beta - running_mean · scale (+ conv bias · scale).
/// </summary>
internal sealed class ConvUnit : IDisposable
{
    private readonly IBackend _backend;
    private readonly IPreparedConv _conv;

    private ConvUnit(IBackend backend, IPreparedConv conv)
    {
        _backend = backend;
        _conv = conv;
    }

    public ConvSpec Spec => _conv.Spec;

    /// <summary>
    /// Builds the convolution <paramref name="weightKey"/> ([out, in, k, k]) with stride, padding = k/2 unless given,
    /// its bias <paramref name="biasKey"/> and the BatchNorm at <paramref name="bnPrefix"/> when not null.
    /// </summary>
    public static ConvUnit Create(IBackend backend, WeightSet w, string weightKey, string? biasKey, string? bnPrefix, int stride = 1, int? padding = null)
    {
        var shape = w.ShapeOf(weightKey);
        if (shape.Length != 4) throw new ArgumentException($"weight '{weightKey}' has shape {Tensor.Format(shape)}, expected a 4-d convolution weight");
        int outC = shape[0], inC = shape[1], k = shape[2];
        var spec = new ConvSpec(inC, outC, k, shape[3], stride, stride, padding ?? k / 2, padding ?? shape[3] / 2);
        var weight = w.Get(weightKey, shape);
        var bias = biasKey is null ? null : w.Get(biasKey, outC);
        float[] scale = [];
        float[] shift = bias ?? [];
        if (bnPrefix != null)
        {
            var gamma = w.Get(bnPrefix + ".weight", outC);
            var beta = w.Get(bnPrefix + ".bias", outC);
            var mean = w.Get(bnPrefix + ".running_mean", outC);
            var var = w.Get(bnPrefix + ".running_var", outC);
            scale = new float[outC];
            shift = new float[outC];
            for (int o = 0; o < outC; o++)
            {
                double s = gamma[o] / Math.Sqrt(var[o] + (double)CondInstArchitecture.NormEps);
                scale[o] = (float)s;
                shift[o] = (float)(beta[o] - mean[o] * s + (bias is null ? 0 : bias[o] * s));
            }
        }
        return new ConvUnit(backend, backend.PrepareConv(spec, weight, shift, scale));
    }

    /// <summary>y = act(conv(x)·scale + bias + residual), a new tensor.</summary>
    public Tensor Run(Tensor x, bool relu, Tensor? residual = null)
    {
        var s = _conv.Spec;
        var y = _backend.Allocate(DType.Float32, x.Dim(0), s.OutChannels, s.OutH(x.Dim(2)), s.OutW(x.Dim(3)));
        try
        {
            _backend.Conv2d(_conv, x, y, residual, relu);
        }
        catch
        {
            y.Dispose();
            throw;
        }
        return y;
    }

    /// <summary>y = act(conv(x)·scale + bias + residual) into <paramref name="y"/>, which may be the residual itself.</summary>
    public void RunInto(Tensor x, Tensor y, bool relu, Tensor? residual = null) => _backend.Conv2d(_conv, x, y, residual, relu);

    public void Dispose() => _conv.Dispose();
}
