namespace CondInst.Kernels;

// Placeholders until the native operations land (each is replaced by a CpuBackend.<Family>.cs file).
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public override void GroupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, bool relu, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void ChannelAffine(Tensor x, Tensor scale, Tensor shift, bool relu, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void MaxPool2d(Tensor x, int kernel, int stride, int padding, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void UpsampleNearest(Tensor x, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void UpsampleBilinear(Tensor x, Tensor y, bool alignCorners) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void AlignedBilinear(Tensor x, int factor, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void Unary(UnaryOp op, Tensor x, Tensor y, float alpha = 1f, float beta = 1f) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void Add(Tensor a, Tensor b, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void Threshold(Tensor x, float threshold, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void ResizePillowBilinear(Tensor x, Tensor y) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void NormalizePad(Tensor x, Tensor y, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, bool reverseChannels) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override int TopKScores(Tensor x, float threshold, int k, Tensor indices, Tensor probs) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void DecodeCandidates(Tensor indices, Tensor probs, int count, int numClasses, Tensor bboxPred, Tensor centerness, float stride, int imageH, int imageW, Tensor boxes, Tensor scores, Tensor labels, Tensor points, int offset) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override int Nms(Tensor boxes, Tensor scores, Tensor labels, int count, float iouThreshold, int maxKeep, Tensor keep) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void GatherColumns(Tensor source, Tensor columns, int count, Tensor destination, int offset) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void GatherRows(Tensor source, Tensor rows, int count, Tensor destination) => throw new NotImplementedException("cpu backend: not implemented yet");

    /// <inheritdoc/>
    public override void DynamicMaskHead(Tensor features, Tensor parameters, Tensor instances, float featureStride, float sizeOfInterest, Tensor logits) => throw new NotImplementedException("cpu backend: not implemented yet");
}
