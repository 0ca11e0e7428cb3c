namespace CondInst.Kernels.Tests.Engine;

public sealed class NpyTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mini", name);

    [Fact]
    public void ReadsMmdetectionFixturesOfEveryDtype()
    {
        var input = NpyArray.Read(Fixture("input.npy.gz"));
        Assert.Equal(NpyType.Float32, input.Type);
        Assert.Equal(new[] { 1, 3, 288, 448 }, input.Shape);
        var labels = NpyArray.Read(Fixture("det_labels.npy.gz"));
        Assert.Equal(NpyType.Int64, labels.Type);
        Assert.Equal(new[] { 24 }, labels.Shape);
        var masks = NpyArray.Read(Fixture("det_masks.npy.gz"));
        Assert.Equal(NpyType.Bool, masks.Type);
        Assert.Equal(new[] { 24, 300, 451 }, masks.Shape);
        var resized = NpyArray.Read(Fixture("resized_uint8.npy.gz"));
        Assert.Equal(NpyType.UInt8, resized.Type);
        Assert.Equal(new[] { 3, 280, 421 }, resized.Shape);
        // Normalised padding is exactly zero (docs/INFERENCE.md#normalize): the last column of the padded input.
        var x = input.ToFloats();
        Assert.Equal(0f, x[447]);
    }

    [Fact]
    public void RoundTripsEveryWritableDtype()
    {
        string dir = Directory.CreateTempSubdirectory("npy").FullName;
        try
        {
            var arrays = new[]
            {
                NpyArray.FromFloats([1.5f, -2f, float.NaN, 1e-30f, 7f, 8f], 2, 3),
                NpyArray.FromInts([1, -2, int.MaxValue], 3),
                NpyArray.FromBytes([0, 1, 1, 0], asBool: true, 2, 2),
                NpyArray.FromBytes([0, 255, 7], asBool: false, 3),
                NpyArray.FromFloats([3f], []),
            };
            for (int i = 0; i < arrays.Length; i++)
            {
                string path = Path.Combine(dir, $"a{i}.npy");
                arrays[i].Write(path);
                var back = NpyArray.Read(path);
                Assert.Equal(arrays[i].Type, back.Type);
                Assert.Equal(arrays[i].Shape, back.Shape);
                Assert.Equal(arrays[i].Data, back.Data);
                // The header is padded so that the data starts on a 64-byte boundary, as NumPy writes it.
                Assert.Equal(0, (new FileInfo(path).Length - arrays[i].Data.Length) % 64);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void RejectsBadFilesClearly()
    {
        string dir = Directory.CreateTempSubdirectory("npy").FullName;
        try
        {
            string notNpy = Path.Combine(dir, "x.npy");
            File.WriteAllBytes(notNpy, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
            var e = Assert.Throws<FormatException>(() => NpyArray.Read(notNpy));
            Assert.Contains("x.npy", e.Message);
            Assert.Contains("magic", e.Message);
            string truncated = Path.Combine(dir, "t.npy");
            NpyArray.FromFloats(new float[100], 100).Write(truncated);
            var bytes = File.ReadAllBytes(truncated);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length - 10)]);
            Assert.Throws<FormatException>(() => NpyArray.Read(truncated));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
