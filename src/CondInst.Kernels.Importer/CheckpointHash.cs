using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CondInst.Kernels.Importer;

/// <summary>
/// The sha256 prefix convention of published checkpoints: mmdetection names files <c>NAME-HHHHHHHH.pth</c> where
/// HHHHHHHH are the first 8 hex digits of the file's sha256.
/// </summary>
public static partial class CheckpointHash
{
    /// <summary>The first <paramref name="hexDigits"/> lowercase hex digits of the sha256 of the file (streamed, not loaded whole).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hexDigits"/> outside 1..64.</exception>
    /// <exception cref="ImporterException">The file cannot be read (naming it).</exception>
    public static string Sha256Prefix(string path, int hexDigits = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hexDigits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hexDigits, 64);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            return Convert.ToHexString(SHA256.HashData(stream))[..hexDigits].ToLowerInvariant();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImporterException($"{path}: cannot read for hashing: {e.Message}", e);
        }
    }

    /// <summary>The hash prefix a published file name declares (<c>...-4c186406.pth</c> gives <c>4c186406</c>), or null.</summary>
    public static string? DeclaredPrefix(string path)
    {
        var m = NamePattern().Match(System.IO.Path.GetFileNameWithoutExtension(path));
        return m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
    }

    /// <summary>True when the file name declares no prefix, or declares the one its content hashes to.</summary>
    public static bool MatchesDeclaredPrefix(string path)
    {
        string? declared = DeclaredPrefix(path);
        return declared is null || Sha256Prefix(path, declared.Length) == declared;
    }

    [GeneratedRegex("-([0-9a-fA-F]{8})$")]
    private static partial Regex NamePattern();
}
