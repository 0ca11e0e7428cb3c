using System.Globalization;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>
/// Counts the bytes of the tensors a file yields against <see cref="ImporterLimits.MaxTensorBytesPerFileByte"/>:
/// views and stride-0 broadcasts cost nothing on disk but become full-size float32 copies once the model loads.
/// </summary>
internal sealed class TensorBudget(string file, long fileLength, ImporterLimits limits)
{
    private readonly long _max = (long)Math.Min(long.MaxValue / 2, fileLength * limits.MaxTensorBytesPerFileByte) + limits.TensorBytesAllowance;
    private long _used;

    /// <summary>Adds <paramref name="bytes"/> for tensor <paramref name="name"/>, or throws when the total passes the bound.</summary>
    public void Take(string name, long bytes)
    {
        _used += bytes;
        if (_used > _max)
            throw new ImporterException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: tensor '{name}' brings the tensors' total to {_used} bytes from a file of {fileLength}, which {ImporterLimits.Exceeds(nameof(ImporterLimits.MaxTensorBytesPerFileByte), limits.MaxTensorBytesPerFileByte, "--max-tensor-ratio")}; allowed: {_max} bytes"));
    }
}
