using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace CondInst.Kernels.Fuzz;

/// <summary>One thing to fuzz: how to make a mutated input from a seeded random source, and what to do with it.</summary>
/// <param name="Name">Shown in the outcome table.</param>
/// <param name="Make">A mutated input.</param>
/// <param name="Checkpoint">True: loaded as a checkpoint (typed error <see cref="ImporterException"/>); false: as an image (<see cref="ImageLoadException"/>).</param>
public sealed record Target(string Name, Func<Random, byte[]> Make, bool Checkpoint);

/// <summary>The seed files (real checkpoints and images from the repository) and the mutations applied to each.</summary>
public static class Targets
{
    /// <summary>The repository root (the folder holding CondInst.Kernels.sln), found from this assembly upwards.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CondInst.Kernels.sln"))) return dir.FullName;
            throw new InvalidOperationException("repository root (CondInst.Kernels.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    public static List<Target> All()
    {
        string fixtures = Path.Combine(Root, "tests", "CondInst.Kernels.Tests", "Fixtures");
        byte[] mini = File.ReadAllBytes(Path.Combine(fixtures, "mini", "mini.pth"));
        byte[] legacy = File.ReadAllBytes(Path.Combine(fixtures, "mini", "mini_legacy.pth"));
        byte[] proto5 = File.ReadAllBytes(Path.Combine(fixtures, "independent", "proto5.pth"));
        byte[] shared = File.ReadAllBytes(Path.Combine(fixtures, "independent", "shared_state_dict.pth"));
        byte[] legacy4 = File.ReadAllBytes(Path.Combine(fixtures, "independent", "proto4_legacy.pth"));
        byte[] st = File.ReadAllBytes(Path.Combine(fixtures, "independent", "independent.safetensors"));
        var miniEntries = Mutators.Entries(mini);
        var proto5Entries = Mutators.Entries(proto5);
        var sharedEntries = Mutators.Entries(shared);
        byte[] Pkl(List<(string Name, byte[] Data)> e) => e.First(x => x.Name.EndsWith("data.pkl", StringComparison.Ordinal)).Data;
        var legacyCounts = Mutators.LegacyCounts(legacy);
        var legacy4Counts = Mutators.LegacyCounts(legacy4);

        byte[] Count(Random r, byte[] file, List<int> sites)
        {
            if (sites.Count == 0) return Mutators.Bytes(r, file, 0, file.Length);
            var b = (byte[])file.Clone();
            Mutators.Put(b, sites[r.Next(sites.Count)], 8, Mutators.Pick(r));
            return b;
        }

        var targets = new List<Target>
        {
            new("pickle ops (mini.pth)", r => Mutators.Rezip(miniEntries, Mutators.Pickle(r, Pkl(miniEntries))), true),
            new("pickle ops (torch protocol 5)", r => Mutators.Rezip(proto5Entries, Mutators.Pickle(r, Pkl(proto5Entries))), true),
            new("pickle ops (shared storages)", r => Mutators.Rezip(sharedEntries, Mutators.Pickle(r, Pkl(sharedEntries))), true),
            new("zip header fields", r => Mutators.ZipField(r, r.Next(2) == 0 ? mini : proto5), true),
            new("zip bytes", r => Mutators.Bytes(r, proto5, 0, proto5.Length), true),
            new("legacy storage counts", r => r.Next(2) == 0 ? Count(r, legacy, legacyCounts) : Count(r, legacy4, legacy4Counts), true),
            new("legacy pickles", r => Mutators.Bytes(r, legacy4, 0, legacy4.Length), true),
            new("safetensors header numbers", r => Mutators.SafetensorsNumber(r, st), true),
            new("safetensors bytes", r => Mutators.Bytes(r, st, 0, st.Length), true),
        };

        byte[] png = Encode(new PngEncoder());
        targets.Add(new("png chunks", r => Mutators.PngChunk(r, png), false));
        foreach (var (name, encoder) in new (string, IImageEncoder)[]
        {
            ("png", new PngEncoder()), ("jpeg", new JpegEncoder()), ("gif", new GifEncoder()), ("bmp", new BmpEncoder()),
            ("tiff", new TiffEncoder()), ("webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }), ("webp lossy", new WebpEncoder()),
            ("tga", new TgaEncoder { Compression = TgaCompression.RunLength }),
        })
        {
            byte[] image = Encode(encoder);
            // Headers hold the sizes and types: three mutations in four land in the first 64 bytes.
            targets.Add(new($"{name} header and data", r => Mutators.Bytes(r, image, 0, r.Next(4) == 0 ? image.Length : Math.Min(64, image.Length)), false));
        }
        byte[] pbm = [.. "P6\n12 10\n255\n"u8, .. Enumerable.Range(0, 360).Select(i => (byte)(i * 7))];
        targets.Add(new("pbm header and data", r => Mutators.Bytes(r, pbm, 0, r.Next(4) == 0 ? pbm.Length : 16), false));
        return targets;
    }

    // A 12x10 picture with some structure (so the encoders use palettes, runs and several blocks).
    private static byte[] Encode(IImageEncoder encoder)
    {
        using var image = new Image<Rgb24>(12, 10);
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 12; x++) image[x, y] = new Rgb24((byte)(x * 20), (byte)(y * 25), (byte)((x ^ y) * 16));
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }
}
