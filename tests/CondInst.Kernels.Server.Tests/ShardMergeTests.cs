using CondInst.Kernels.Cli;
using CondInst.Kernels.Cli.Commands;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;

namespace CondInst.Kernels.Server.Tests;

/// <summary><c>infer --shard i/n</c> and <c>merge</c>: every file in exactly one shard, merged results equal to one run's.</summary>
public sealed class ShardMergeTests
{
    [Fact]
    public void Shards_cover_every_sorted_file_exactly_once_in_order()
    {
        for (int files = 0; files <= 23; files++)
        {
            var sorted = Enumerable.Range(0, files).ToList();
            for (int n = 1; n <= 9; n++)
            {
                var joined = Enumerable.Range(0, n).SelectMany(i => new Shard(i, n).Take(sorted)).ToList();
                Assert.Equal(sorted, joined);
                var sizes = Enumerable.Range(0, n).Select(i => new Shard(i, n).Take(sorted).Count).ToList();
                Assert.True(sizes.Max() - sizes.Min() <= 1, $"{files} files over {n} shards: sizes {string.Join(",", sizes)}");
            }
        }
    }

    [Theory]
    [InlineData("0/1", true)]
    [InlineData("1/1", false)]
    [InlineData("0/3", true)]
    [InlineData("3/3", false)]
    [InlineData("-1/3", false)]
    [InlineData("1/0", false)]
    [InlineData("a/b", false)]
    [InlineData("2", false)]
    public void Shard_argument_is_checked(string text, bool valid)
    {
        if (valid) Assert.Equal(text, $"{Shard.Parse(text).Index}/{Shard.Parse(text).Count}");
        else Assert.Contains("--shard", Assert.Throws<ArgumentException>(() => Shard.Parse(text)).Message);
    }

    [Fact]
    public void Merged_shards_equal_a_single_run_byte_for_byte()
    {
        string root = Path.Combine(Path.GetTempPath(), $"condinst-shard-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string images = Path.Combine(root, "images");
        Directory.CreateDirectory(images);
        try
        {
            // Three different images: the demo, its mirror image and a crop.
            File.Copy(TestData.DemoImage, Path.Combine(images, "a.png"));
            using (var img = Image.Load(TestData.DemoImage))
            {
                img.Mutate(x => x.Flip(FlipMode.Horizontal));
                img.SaveAsPng(Path.Combine(images, "b.png"));
                img.Mutate(x => x.Crop(new Rectangle(0, 0, img.Width * 2 / 3, img.Height * 3 / 4)));
                img.SaveAsPng(Path.Combine(images, "c.png"));
            }
            string single = Path.Combine(root, "single"), sharded = Path.Combine(root, "sharded");
            Assert.Equal(0, Run("infer", "--weights", TestData.Weights, "--images", images, "--out", single, "--device", "cpu"));
            // Two shards of three files, and (run separately) more shards than files.
            for (int i = 0; i < 2; i++)
                Assert.Equal(0, Run("infer", "--weights", TestData.Weights, "--images", images, "--out", sharded, "--device", "cpu", "--shard", $"{i}/2"));
            Assert.Equal(0, Run("merge", sharded));
            byte[] expected = File.ReadAllBytes(Path.Combine(single, "results.json"));
            Assert.True(expected.Length > 100, "the single run found nothing to compare");
            Assert.Equal(expected, File.ReadAllBytes(Path.Combine(sharded, "results.json")));
            Assert.Equal(["b.png", "c.png"], Directory.EnumerateFiles(Path.Combine(sharded, "shard-1-of-2")).Select(Path.GetFileName).Order().Where(f => f != "results.json"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Merge_refuses_missing_or_mixed_shards()
    {
        string root = Path.Combine(Path.GetTempPath(), $"condinst-merge-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            foreach (var d in new[] { "shard-0-of-3", "shard-2-of-3" })
            {
                Directory.CreateDirectory(Path.Combine(root, d));
                File.WriteAllText(Path.Combine(root, d, "results.json"), "[]");
            }
            var e = Assert.Throws<FileNotFoundException>(() => MergeCommand.Merge(root, Path.Combine(root, "results.json")));
            Assert.Contains("shard(s) 1 of 3 are missing", e.Message);
            Directory.CreateDirectory(Path.Combine(root, "shard-0-of-2"));
            Assert.Contains("mixes shard counts", Assert.Throws<ArgumentException>(() => MergeCommand.Merge(root, Path.Combine(root, "results.json"))).Message);
            Assert.False(File.Exists(Path.Combine(root, "results.json")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static int Run(params string[] args)
    {
        var err = new StringWriter();
        int rc = Program.Run(args, TextWriter.Null, err);
        Assert.True(rc == 0, $"condinst {string.Join(' ', args)} -> {rc}: {err}");
        return rc;
    }
}
