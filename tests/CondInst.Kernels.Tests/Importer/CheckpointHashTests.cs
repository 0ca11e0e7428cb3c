using CondInst.Kernels.Importer;

namespace CondInst.Kernels.Tests.Importer;

public sealed class CheckpointHashTests
{
    [Fact]
    public void Sha256PrefixOfTheFixtures()
    {
        // sha256sum mini.pth / mini_legacy.pth
        Assert.Equal("9e8abf25", CheckpointHash.Sha256Prefix(ImporterFiles.Mini, 8));
        Assert.Equal("2cf8fd2e25256f5d6486", CheckpointHash.Sha256Prefix(ImporterFiles.MiniLegacy, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointHash.Sha256Prefix(ImporterFiles.Mini, 0));
        Assert.Contains("/no/such.pth", Assert.Throws<ImporterException>(() => CheckpointHash.Sha256Prefix("/no/such.pth")).Message);
    }

    [Fact]
    public void DeclaredPrefixOfPublishedNames()
    {
        Assert.Equal("4c186406", CheckpointHash.DeclaredPrefix("/w/condinst_r50_fpn_ms-poly-90k_coco_instance_20221129_125223-4c186406.pth"));
        Assert.Null(CheckpointHash.DeclaredPrefix("mini.pth"));
        Assert.Null(CheckpointHash.DeclaredPrefix("model-final.pth"));
        using var dir = new TempDir();
        File.Copy(ImporterFiles.Mini, dir.File("mini-9e8abf25.pth"));
        File.Copy(ImporterFiles.Mini, dir.File("mini-4c186406.pth"));
        Assert.True(CheckpointHash.MatchesDeclaredPrefix(dir.File("mini-9e8abf25.pth")));
        Assert.False(CheckpointHash.MatchesDeclaredPrefix(dir.File("mini-4c186406.pth")));
        Assert.True(CheckpointHash.MatchesDeclaredPrefix(ImporterFiles.Mini));
    }
}
