namespace CondInst.Kernels.Importer;

/// <summary>The error type of everything the importer refuses: names the file and the offset or key, what was expected and what was found.</summary>
public sealed class ImporterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImporterException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
