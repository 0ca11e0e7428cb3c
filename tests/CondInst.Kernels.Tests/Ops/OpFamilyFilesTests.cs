namespace CondInst.Kernels.Tests.Ops;

/// <summary>
/// Every op family has its eight pieces under the family's one name (docs/ARCHITECTURE.md, the op table), and no
/// piece carries a name that is not a family, so a renamed or added file cannot drift from the others unnoticed.
/// </summary>
public sealed class OpFamilyFilesTests
{
    /// <summary>The op families, by the name every one of their files carries.</summary>
    public static readonly string[] Families = ["Conv", "Norm", "Elementwise", "Resample", "Image", "Detection", "MaskHead", "MaskPaste"];

    private const string Engine = "src/CondInst.Kernels.Engine";
    private const string Tests = "tests/CondInst.Kernels.Tests";

    // (folder, file name before the family, after it, piece) for each of the eight places.
    private static readonly (string Folder, string Prefix, string Suffix, string Piece)[] Places =
    [
        ($"{Engine}/Backends", "IBackend.", ".cs", "contract"),
        ($"{Engine}/Backends", "OpChecks.", ".cs", "argument checks"),
        ($"{Engine}/Cpu", "CpuBackend.", ".cs", "cpu backend"),
        ($"{Engine}/Ilgpu", "IlgpuBackend.", ".cs", "ILGPU backend"),
        ("kernels/CondInst.Kernels.Ilgpu", "", "Kernels.cs", "ILGPU kernels"),
        ($"{Tests}/Reference", "ReferenceBackend.", ".cs", "reference"),
        ($"{Tests}/Ops", "", "OpTests.cs", "op test"),
        ("benchmarks/CondInst.Kernels.Benchmarks/Kernels", "", "Benchmarks.cs", "benchmark"),
    ];

    // Files in those folders that match a pattern but are shared plumbing, not a family's piece.
    private static readonly string[] Plumbing = ["IlgpuBackend.Devices.cs", "IlgpuBackend.Launch.cs", "IlgpuBackend.Memory.cs"];

    [Fact]
    public void EveryFamilyHasItsEightFiles()
    {
        string root = RepoRoot();
        var missing = new List<string>();
        foreach (string family in Families)
            foreach (var p in Places)
            {
                string path = Path.Combine(root, p.Folder, p.Prefix + family + p.Suffix);
                if (!File.Exists(path)) missing.Add($"{family}: {p.Piece} {p.Folder}/{p.Prefix}{family}{p.Suffix}");
            }
        Assert.True(missing.Count == 0, "missing:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void EveryPieceIsNamedAfterAFamily()
    {
        string root = RepoRoot();
        var strays = new List<string>();
        foreach (var p in Places)
            foreach (string file in Directory.GetFiles(Path.Combine(root, p.Folder), p.Prefix + "*" + p.Suffix))
            {
                string name = Path.GetFileName(file);
                if (Plumbing.Contains(name) || name.Length <= p.Prefix.Length + p.Suffix.Length) continue;
                string stem = name[p.Prefix.Length..^p.Suffix.Length];
                // A family's file may be split into parts: IlgpuBackend.Detection.Nms.cs, DetectionNmsKernels.cs.
                bool ok = Families.Any(f => stem == f || stem.StartsWith(f + ".", StringComparison.Ordinal)
                    || (p.Prefix.Length == 0 && stem.StartsWith(f, StringComparison.Ordinal) && stem.Length > f.Length && char.IsUpper(stem[f.Length])));
                if (!ok) strays.Add($"{p.Folder}/{name} ({p.Piece}) names no op family");
            }
        Assert.True(strays.Count == 0, string.Join("\n", strays));
    }

    [Fact]
    public void EachOpTestClassIsTheFamilysName()
    {
        var classes = typeof(OpFamilyFilesTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(OpFamilyFilesTests).Namespace && t.Name.EndsWith("OpTests", StringComparison.Ordinal))
            .Select(t => t.Name[..^"OpTests".Length]).Order().ToArray();
        Assert.Equal(Families.Order().ToArray(), classes);
    }

    /// <summary>The repository root: the folder above the test binaries that holds the solution.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CondInst.Kernels.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (CondInst.Kernels.sln) not found above " + AppContext.BaseDirectory);
    }
}
