using System.Globalization;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// <c>--shard i/n</c>: worker <c>i</c> (0-based) of <c>n</c> takes the i-th contiguous block of the sorted image list
/// (blocks differ in size by at most one), so the shards cover every file exactly once and their results, joined in
/// shard order, are in the order of a single run. Each shard writes into its own folder, <see cref="FolderName"/>.
/// </summary>
/// <param name="Index">This worker, 0..Count-1.</param>
/// <param name="Count">Number of workers.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>Parses "i/n"; a malformed value is one error naming --shard.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
            return new Shard(i, n);
        throw new ArgumentException($"--shard: expected i/n with 0 <= i < n (e.g. 0/4), found '{text}'");
    }

    /// <summary>This shard's block of <paramref name="sorted"/>: items [⌊i·N/n⌋, ⌊(i+1)·N/n⌋).</summary>
    public IReadOnlyList<T> Take<T>(IReadOnlyList<T> sorted)
    {
        int start = (int)((long)Index * sorted.Count / Count), end = (int)((long)(Index + 1) * sorted.Count / Count);
        return [.. sorted.Skip(start).Take(end - start)];
    }

    /// <summary>The shard's output folder under --out: <c>shard-i-of-n</c>.</summary>
    public string FolderName => $"shard-{Index}-of-{Count}";

    /// <summary>Recognises a folder named by <see cref="FolderName"/>.</summary>
    public static Shard? FromFolderName(string name)
    {
        var parts = name.Split('-');
        return parts.Length == 4 && parts[0] == "shard" && parts[2] == "of"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n
            ? new Shard(i, n) : null;
    }
}
