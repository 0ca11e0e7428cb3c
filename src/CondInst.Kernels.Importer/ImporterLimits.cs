using System.Globalization;

namespace CondInst.Kernels.Importer;

/// <summary>
/// The importer's resource limits: the one place each is declared. A checkpoint of a few kilobytes can otherwise
/// ask for gigabytes (a stride-0 view broadcast over a huge shape, config text that doubles a list thirty times, a
/// test scale of 100000). Every refusal is an <see cref="ImporterException"/> naming the limit and how to raise it.
/// The defaults accept every published mmdetection checkpoint with room to spare; pass a changed copy
/// (<c>ImporterLimits.Default with { MaxTestScale = 8192 }</c>) to <see cref="Checkpoint.Load(string, ImporterLimits?)"/>.
/// </summary>
public sealed record ImporterLimits
{
    /// <summary>The defaults described on each property.</summary>
    public static ImporterLimits Default { get; } = new();

    /// <summary>
    /// Largest side of the test scale accepted from a checkpoint's config, a sidecar or safetensors metadata
    /// (default 4096; mmdetection's COCO models use 1333). Preprocessing memory grows with its square:
    /// (8000, 8000) needs over 6 GB per image. CLI: <c>--max-test-scale</c>.
    /// </summary>
    public int MaxTestScale { get; init; } = 4096;

    /// <summary>
    /// Bound on the bytes of all tensors together, as a multiple of the file's size (default 4) plus
    /// <see cref="TensorBytesAllowance"/>. Tensors can share a storage and stride-0 views broadcast one element over
    /// a whole shape, so a 6 KB file could otherwise expand to gigabytes. A real state dict sums to about
    /// the file size (tied weights count twice). CLI: <c>--max-tensor-ratio</c>.
    /// </summary>
    public double MaxTensorBytesPerFileByte { get; init; } = 4;

    /// <summary>Bytes of tensors always allowed on top of <see cref="MaxTensorBytesPerFileByte"/> times the file size (default 64 MiB).</summary>
    public long TensorBytesAllowance { get; init; } = 64L << 20;

    /// <summary>
    /// Longest mmdetection config text (in <c>meta</c>) that is read for test settings, in characters (default
    /// 4 MiB; real configs are 10 to 50 KB). CLI: <c>--max-config-chars</c>.
    /// </summary>
    public int MaxConfigTextChars { get; init; } = 4 << 20;

    /// <summary>
    /// Evaluation steps allowed while reading config text: one per value built plus one per list element copied
    /// by <c>+</c> (default 1,000,000; a real config takes a few thousand). Thirty lines of <c>a = a + a</c> would
    /// otherwise build a list of 2^30 elements. CLI: <c>--max-config-steps</c>.
    /// </summary>
    public long MaxConfigSteps { get; init; } = 1_000_000;

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero, negative or NaN.</exception>
    public ImporterLimits Validated()
    {
        if (MaxTestScale < 1) throw new ArgumentOutOfRangeException(nameof(MaxTestScale), MaxTestScale, "must be at least 1");
        if (!(MaxTensorBytesPerFileByte > 0)) throw new ArgumentOutOfRangeException(nameof(MaxTensorBytesPerFileByte), MaxTensorBytesPerFileByte, "must be positive");
        if (TensorBytesAllowance < 0) throw new ArgumentOutOfRangeException(nameof(TensorBytesAllowance), TensorBytesAllowance, "must not be negative");
        if (MaxConfigTextChars < 1) throw new ArgumentOutOfRangeException(nameof(MaxConfigTextChars), MaxConfigTextChars, "must be at least 1");
        if (MaxConfigSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxConfigSteps), MaxConfigSteps, "must be at least 1");
        return this;
    }

    /// <summary>The tail of every refusal: which limit, its value, and how to raise it.</summary>
    internal static string Exceeds(string property, object value, string cliOption) =>
        string.Create(CultureInfo.InvariantCulture, $"exceeds the limit ImporterLimits.{property} = {value} (raise it with {cliOption} or ImporterLimits.{property})");
}
