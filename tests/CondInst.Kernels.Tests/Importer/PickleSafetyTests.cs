using System.Text;
using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

/// <summary>Pickles crafted by hand: nothing in them can run, and calling outside the allow-list is refused by name.</summary>
public sealed class PickleSafetyTests
{
    private static ImporterException Refused(byte[] pickle) =>
        Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", pickle)), "evil.pth").Dispose());

    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    [Fact]
    public void OsSystemViaGlobalAndReduce()
    {
        // cos\nsystem\n  X<len>'touch /tmp/pwned'  TUPLE1  REDUCE  STOP
        var cmd = "touch /tmp/condinst-pwned";
        var e = Refused(Bytes($"\u0080\u0002cos\nsystem\nX{(char)cmd.Length}\0\0\0{cmd}\u0085R."));
        Assert.Contains("evil.pth: entry 'archive/data.pkl', file offset", e.Message);
        Assert.Contains("refusing to call os.system: not in the importer's allow-list", e.Message);
        Assert.False(File.Exists("/tmp/condinst-pwned"));
    }

    [Fact]
    public void BuiltinsEvalViaStackGlobal()
    {
        var e = Refused(Bytes("\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c\u000a__import__\u0085R."));
        Assert.Contains("refusing to call builtins.eval", e.Message);
        // The offset is that of the REDUCE opcode: 64 (zip data start) + its index in the pickle.
        Assert.Contains($"file offset {64 + 32}:", e.Message);
    }

    [Fact]
    public void NewObjAndBuildOnForeignClassesAreRefused()
    {
        Assert.Contains("refusing to instantiate subprocess.Popen", Refused(Bytes("\u0080\u0002csubprocess\nPopen\n)\u0081.")).Message);
        Assert.Contains("refusing BUILD on posix.system", Refused(Bytes("\u0080\u0002cposix\nsystem\n}b.")).Message);
        // REDUCE with a non-global callable (a string) is refused too.
        Assert.Contains("REDUCE on str 'x'", Refused(Bytes("\u0080\u0002X\u0001\0\0\0x)R.")).Message);
    }

    [Fact]
    public void ForeignGlobalsThatAreOnlyReferencedLoadAsPlaceholders()
    {
        // {'meta': {'hook': os.system}, 'state_dict': {}} would fail for its empty state dict, so give it one tensor.
        var pickle = Bytes("\u0080\u0002}(X\u0004\0\0\0meta}X\u0004\0\0\0hookcos\nsystem\nsX\u000a\0\0\0state_dict}X\u0001\0\0\0w")
            .Concat(new CondInst.Kernels.Importer.Pickle.PickleWriter().Tensor("0", TensorDType.Float32, 1, 0, [1], [1]).ToArray())
            .Concat(Bytes("su.")).ToArray();
        using var ckpt = Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", new byte[4])), "meta.pth");
        var meta = Assert.IsType<MetaPlaceholder>(ckpt.Meta["hook"]);
        Assert.Equal("os.system", meta.ToString());
    }

    [Fact]
    public void DeepMarkNestingIsRefused()
    {
        var pickle = new byte[2 + 20_000 + 1];
        pickle[0] = 0x80;
        pickle[1] = 0x02;
        Array.Fill(pickle, (byte)'(', 2, 20_000);
        pickle[^1] = (byte)'.';
        var e = Refused(pickle);
        Assert.Contains("more than 10000 nested MARKs (nesting too deep)", e.Message);
        Assert.Contains("file offset 10066", e.Message);
    }

    [Fact]
    public void DeepListNestingInMetaIsRefused()
    {
        // meta = [[[[...]]]] 200 deep, built with EMPTY_LIST x200 then APPEND x199 (no MARKs at all).
        var sb = new StringBuilder("\u0080\u0002}(X\u0004\0\0\0meta}X\u0001\0\0\0x");
        sb.Append(']', 200).Append('a', 199).Append("sX\u000a\0\0\0state_dict}X\u0001\0\0\0w");
        var pickle = Bytes(sb.ToString()).Concat(new CondInst.Kernels.Importer.Pickle.PickleWriter().Tensor("0", TensorDType.Float32, 1, 0, [1], [1]).ToArray())
            .Concat(Bytes("su.")).ToArray();
        var e = Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", new byte[4])), "deep.pth"));
        Assert.Contains("deep.pth: meta.x[0][0]", e.Message);
        Assert.Contains("metadata nested deeper than 64 levels", e.Message);
    }

    [Fact]
    public void SelfReferencingListInMetaIsRefusedNotLooped()
    {
        // x = []; x.append(x): memo PUT 0, GET 0, APPEND.
        var pickle = Bytes("\u0080\u0002}(X\u0004\0\0\0meta}X\u0001\0\0\0x]q\0h\0asX\u000a\0\0\0state_dict}X\u0001\0\0\0w")
            .Concat(new CondInst.Kernels.Importer.Pickle.PickleWriter().Tensor("0", TensorDType.Float32, 1, 0, [1], [1]).ToArray())
            .Concat(Bytes("su.")).ToArray();
        var e = Assert.Throws<ImporterException>(() => Checkpoint.LoadBytes(ImporterFiles.Zip(("archive/data.pkl", pickle), ("archive/data/0", new byte[4])), "loop.pth"));
        Assert.Contains("nested deeper than 64 levels", e.Message);
    }
}
