namespace CondInst.Kernels;

/// <summary>Element-wise float32 operations of <see cref="IBackend.Unary"/>.</summary>
public enum UnaryOp
{
    /// <summary>y = max(x, 0).</summary>
    Relu,

    /// <summary>y = 1 / (1 + exp(-x)).</summary>
    Sigmoid,

    /// <summary>y = exp(x).</summary>
    Exp,

    /// <summary>y = alpha · x.</summary>
    Scale,

    /// <summary>y = max(alpha · x, 0) · beta (FCOS box regression: scale, clamp, times stride).</summary>
    ScaleReluScale,
}

public partial interface IBackend
{
    /// <summary>Applies <paramref name="op"/> to every float32 element; y has x's length and may be x.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f);

    /// <summary>y = a + b element-wise over float32 tensors of equal length; y may be a or b.</summary>
    void Add(Tensor a, Tensor b, Tensor y);

    /// <summary>y (uint8) = x &gt; threshold ? 1 : 0 element-wise over float32 x (strict, as mmdetection's mask threshold).</summary>
    void Threshold(Tensor x, float threshold, Tensor y);
}
