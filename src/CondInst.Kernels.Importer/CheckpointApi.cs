namespace CondInst.Kernels.Importer;

// The importer's public surface, fixed first so the model can be written against it. Bodies land with the
// importer; each type moves to its own file then.

/// <summary>Element types a checkpoint tensor can have on disk.</summary>
public enum TensorDType
{
    /// <summary>IEEE float32.</summary>
    Float32,

    /// <summary>IEEE float16.</summary>
    Float16,

    /// <summary>bfloat16.</summary>
    BFloat16,

    /// <summary>IEEE float64.</summary>
    Float64,

    /// <summary>int64.</summary>
    Int64,

    /// <summary>int32.</summary>
    Int32,

    /// <summary>int8.</summary>
    Int8,

    /// <summary>uint8.</summary>
    UInt8,

    /// <summary>bool (one byte).</summary>
    Bool,
}

/// <summary>On-disk format of a checkpoint.</summary>
public enum CheckpointFormat
{
    /// <summary>PyTorch zip format (torch.save default since 1.6).</summary>
    PthZip,

    /// <summary>PyTorch legacy format (_use_new_zipfile_serialization=False).</summary>
    PthLegacy,

    /// <summary>safetensors.</summary>
    Safetensors,
}

/// <summary>The error type of everything the importer refuses: names the file and the offset or key, what was expected and what was found.</summary>
public sealed class ImporterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImporterException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A parameter the model expects: its name and shape (an empty shape is a scalar).</summary>
/// <param name="Name">State-dict key, e.g. <c>backbone.conv1.weight</c>.</param>
/// <param name="Shape">Expected dimensions.</param>
public sealed record ParameterSpec(string Name, int[] Shape);

/// <summary>One tensor of a checkpoint (contiguous, C order, little-endian once read).</summary>
public sealed class CheckpointTensor
{
    /// <summary>Creates a tensor over raw little-endian C-order bytes.</summary>
    public CheckpointTensor(string name, TensorDType dtype, int[] shape, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>State-dict key.</summary>
    public string Name { get; }

    /// <summary>Element type on disk.</summary>
    public TensorDType DType { get; }

    /// <summary>Dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>Raw bytes, little-endian, C order.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The values converted to float32 (float16/bfloat16/float64 converted, integers cast).</summary>
    public float[] ToFloat32() => throw new NotImplementedException();
}

/// <summary>
/// Test-time settings of a model (mmdetection's test pipeline scale and <c>model.test_cfg</c>) and where they came from.
/// </summary>
/// <param name="ScaleLong">Long side of the Resize scale (1333 for the R-50).</param>
/// <param name="ScaleShort">Short side of the Resize scale (800 for the R-50).</param>
/// <param name="ScoreThreshold">score_thr (0.05).</param>
/// <param name="NmsPre">nms_pre, per level (1000).</param>
/// <param name="IouThreshold">nms iou_threshold (0.6).</param>
/// <param name="MaxPerImage">max_per_img (100).</param>
/// <param name="MaskThreshold">mask_thr (0.5).</param>
/// <param name="Source">Where these values came from: "checkpoint meta config", "sidecar FILE", "defaults (R-50 spec)", "command line".</param>
public sealed record TestSettings(int ScaleLong, int ScaleShort, float ScoreThreshold, int NmsPre, float IouThreshold, int MaxPerImage, float MaskThreshold, string Source)
{
    /// <summary>The R-50 defaults of the spec.</summary>
    public static TestSettings R50Defaults { get; } = new(1333, 800, 0.05f, 1000, 0.6f, 100, 0.5f, "defaults (R-50 spec)");
}

/// <summary>A loaded checkpoint: the state dict (prefixes such as <c>module.</c> stripped), its metadata as plain values, and test settings.</summary>
public sealed class Checkpoint : IDisposable
{
    private Checkpoint()
    {
    }

    /// <summary>Path it was loaded from.</summary>
    public string Path { get; private init; } = "";

    /// <summary>On-disk format.</summary>
    public CheckpointFormat Format { get; private init; }

    /// <summary>Tensors by key, in file order.</summary>
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; private init; } = new Dictionary<string, CheckpointTensor>();

    /// <summary>Metadata (mmdetection's <c>meta</c>) as plain values: string, long, double, bool, null, lists, string-keyed dictionaries.</summary>
    public IReadOnlyDictionary<string, object?> Meta { get; private init; } = new Dictionary<string, object?>();

    /// <summary>Test-time settings found in the meta config text, a <c>&lt;weights&gt;.json</c> sidecar, or the R-50 defaults.</summary>
    public TestSettings Settings { get; private init; } = TestSettings.R50Defaults;

    /// <summary>Loads a <c>.pth</c> (zip or legacy) or <c>.safetensors</c> file, recognised by content.</summary>
    public static Checkpoint Load(string path) => throw new NotImplementedException();

    /// <summary>
    /// Checks the state dict against <paramref name="expected"/> all at once and throws one <see cref="ImporterException"/>
    /// listing every missing key, unexpected key, shape mismatch and non-float dtype (num_batches_tracked ignored).
    /// </summary>
    public void Bind(IEnumerable<ParameterSpec> expected) => throw new NotImplementedException();

    /// <summary>Releases memory maps.</summary>
    public void Dispose()
    {
    }
}
