namespace CondInst.Kernels.Importer;

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
