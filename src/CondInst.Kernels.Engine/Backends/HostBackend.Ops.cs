namespace CondInst.Kernels;

// The operations every host backend provides; see the IBackend.*.cs files for their exact semantics.
public abstract partial class HostBackend
{
    /// <inheritdoc/>
    public abstract IPreparedConv PrepareConv(in ConvSpec spec, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> scale);

    /// <inheritdoc/>
    public abstract void Conv2d(IPreparedConv conv, Tensor x, Tensor y, Tensor? residual = null, bool relu = false);

    /// <inheritdoc/>
    public abstract void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y);

    /// <inheritdoc/>
    public abstract void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y);

    /// <inheritdoc/>
    public abstract void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y);

    /// <inheritdoc/>
    public abstract void UpsampleNearest(Tensor x, Tensor y);

    /// <inheritdoc/>
    public abstract void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners);

    /// <inheritdoc/>
    public abstract void AlignedBilinear(Tensor x, int factor, Tensor y);

    /// <inheritdoc/>
    public abstract void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f);

    /// <inheritdoc/>
    public abstract void Add(Tensor a, Tensor b, Tensor y);

    /// <inheritdoc/>
    public abstract void Threshold(Tensor x, float threshold, Tensor y);

    /// <inheritdoc/>
    public abstract void ResizePillowBilinear(Tensor x, Tensor y);

    /// <inheritdoc/>
    public abstract void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels);

    /// <inheritdoc/>
    public abstract int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs);

    /// <inheritdoc/>
    public abstract void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness,
        float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset);

    /// <inheritdoc/>
    public abstract int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep);

    /// <inheritdoc/>
    public abstract void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset);

    /// <inheritdoc/>
    public abstract void GatherRows(Tensor source, Tensor rows, int count, Tensor destination);

    /// <inheritdoc/>
    public abstract void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits);

    /// <inheritdoc/>
    public abstract void PasteMasks(Tensor probs, int factor, int cropH, int cropW, float threshold, Tensor masks);
}
