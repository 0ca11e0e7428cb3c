using CondInst.Kernels.Model;

namespace CondInst.Kernels.Tests.Model.Network;

public sealed class ArchitectureTests
{
    internal static IReadOnlyList<(string Name, string DType, int[] Shape)> ReadR50StateDict()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "r50", "state_dict_r50.txt");
        return File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => (f[0], f[1], f[2].Length == 0 ? Array.Empty<int>() : f[2].Split(',').Select(int.Parse).ToArray()))
            .ToList();
    }

    [Fact]
    public void R50ExpectedParametersEqualThePublishedStateDictExactly()
    {
        var expected = ReadR50StateDict();
        var ours = CondInstArchitecture.R50.ExpectedParameters().ToList();
        Assert.Equal(423, expected.Count);
        Assert.Equal(expected.Count, ours.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, ours[i].Name);
            Assert.Equal(expected[i].Shape, ours[i].Shape);
            Assert.Equal(ours[i].Name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? "int64" : "float32", expected[i].DType);
        }
        Assert.Equal(34_164_299, CondInstArchitecture.R50.ParameterCount());
    }

    [Fact]
    public void InfersTheR50AndTheNarrowFixtureModelFromShapes()
    {
        var r50 = ReadR50StateDict().ToDictionary(e => e.Name, e => e.Shape);
        var arch = CondInstArchitecture.InferFrom(r50);
        Assert.Equal(CondInstArchitecture.R50.ExpectedParameters().Select(p => p.Name), arch.ExpectedParameters().Select(p => p.Name));
        Assert.Equal((64, 256, 256, 80, 128, 8), (arch.StemChannels, arch.FpnChannels, arch.HeadChannels, arch.NumClasses, arch.MaskBranchChannels, arch.MaskFeatureChannels));
        Assert.Equal(new[] { 3, 4, 6, 3 }, arch.BlocksPerStage);

        // The fixture model: base width 16, FPN/head 64, mask branch 64 (fixtures/mini manifest).
        // A record holding an array compares it by reference, so every field is compared on its own; the second,
        // made-up model has uneven block counts and widths so that a count or field read from the wrong key shows.
        static object Fields(CondInstArchitecture a) => (a.StemChannels, string.Join(",", a.BlocksPerStage), a.FpnChannels, a.HeadChannels,
            a.HeadConvs, a.NumClasses, a.MaskBranchChannels, a.MaskBranchConvs, a.MaskFeatureChannels);
        foreach (var expected in new[]
        {
            new CondInstArchitecture(16, [3, 4, 6, 3], 64, 64, 4, 80, 64, 4, 8),
            new CondInstArchitecture(8, [1, 2, 3, 1], 24, 40, 2, 5, 32, 3, 8),
        })
        {
            var shapes = expected.ExpectedParameters().ToDictionary(p => p.Name, p => p.Shape);
            Assert.Equal(Fields(expected), Fields(CondInstArchitecture.InferFrom(shapes)));
        }
    }

    [Fact]
    public void MissingKeyIsNamed()
    {
        var shapes = CondInstArchitecture.R50.ExpectedParameters().Where(p => p.Name != "bbox_head.conv_cls.weight").ToDictionary(p => p.Name, p => p.Shape);
        var e = Assert.Throws<CondInst.Kernels.Importer.ImporterException>(() => CondInstArchitecture.InferFrom(shapes));
        Assert.Contains("bbox_head.conv_cls.weight", e.Message);
    }
}
