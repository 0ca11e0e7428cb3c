namespace CondInst.Kernels.Model;

/// <summary>
/// The one error <see cref="ImageLoader"/> raises for an image it cannot load: it names the file (or stream name)
/// and says what was wrong. No partially decoded image is ever returned.
/// </summary>
public sealed class ImageLoadException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a path or a stream's name).</summary>
    public ImageLoadException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        FileName = source;
        Problem = problem;
    }

    /// <summary>The file path or stream name that failed.</summary>
    public string FileName { get; }

    /// <summary>What was wrong, without the file name.</summary>
    public string Problem { get; }
}
