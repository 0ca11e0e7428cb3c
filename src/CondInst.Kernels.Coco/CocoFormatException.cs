namespace CondInst.Kernels.Coco;

/// <summary>
/// A COCO annotation or results file (or a mask in it) is not what the format requires. The message is one line
/// naming the file, the field, what was expected and what was found.
/// </summary>
public sealed class CocoFormatException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public CocoFormatException(string message) : base(message) { }
}
