using CondInst.Kernels.Importer.IO;
using CondInst.Kernels.Importer.Pth;
using CondInst.Kernels.Importer.Safetensors;
using CondInst.Kernels.Importer.Settings;

namespace CondInst.Kernels.Importer;

/// <summary>A loaded checkpoint: the state dict (prefixes such as <c>module.</c> stripped), its metadata as plain values, and test settings.</summary>
/// <remarks>
/// Loading never executes anything from the file (see <c>Pickle/Globals.cs</c> for the allow-list). Tensor data views
/// a read-only memory map of the file where it can (contiguous storages, all of safetensors), so it stays valid only
/// until <see cref="Dispose"/>.
/// </remarks>
public sealed class Checkpoint : IDisposable
{
    private readonly ByteSource? _source;

    private Checkpoint(ByteSource? source) => _source = source;

    /// <summary>Path it was loaded from.</summary>
    public string Path { get; private init; } = "";

    /// <summary>On-disk format.</summary>
    public CheckpointFormat Format { get; private init; }

    /// <summary>Tensors by key, in file order.</summary>
    public IReadOnlyDictionary<string, CheckpointTensor> Tensors { get; private init; } = new Dictionary<string, CheckpointTensor>();

    /// <summary>Metadata (mmdetection's <c>meta</c>) as plain values: string, long, double, bool, null, lists, string-keyed dictionaries.</summary>
    /// <remarks>
    /// Lists are <c>List&lt;object?&gt;</c> (also for tuples), dictionaries <c>Dictionary&lt;string, object?&gt;</c>; anything
    /// else in the pickle (a foreign class, a numpy scalar, bytes, a tensor) is a <see cref="MetaPlaceholder"/> that prints
    /// as its global name. For safetensors this is the meta <c>convert</c> stored, or else the raw <c>__metadata__</c> strings.
    /// </remarks>
    public IReadOnlyDictionary<string, object?> Meta { get; private init; } = new Dictionary<string, object?>();

    /// <summary>Test-time settings found in the meta config text, a <c>&lt;weights&gt;.json</c> sidecar, or the R-50 defaults.</summary>
    public TestSettings Settings { get; private init; } = TestSettings.R50Defaults;

    /// <summary>Loads a <c>.pth</c> (zip or legacy) or <c>.safetensors</c> file, recognised by content.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="limits">Resource limits; null for <see cref="ImporterLimits.Default"/>.</param>
    /// <exception cref="ImporterException">Anything wrong with the file, naming it and the offset or key at fault, or a limit it passes.</exception>
    public static Checkpoint Load(string path, ImporterLimits? limits = null)
    {
        var source = ByteSource.Open(path);
        try
        {
            return Load(source, path, (limits ?? ImporterLimits.Default).Validated());
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Loads from bytes in memory (tests and fuzzing); a sidecar is looked for only when <paramref name="sidecarFor"/> is given.</summary>
    internal static Checkpoint LoadBytes(byte[] bytes, string name, string? sidecarFor = null, ImporterLimits? limits = null)
    {
        if (bytes.Length == 0) throw new ImporterException($"{name}: empty file (0 bytes); expected a .pth or .safetensors checkpoint");
        return Load(ByteSource.FromArray(name, bytes), sidecarFor, (limits ?? ImporterLimits.Default).Validated());
    }

    private static Checkpoint Load(ByteSource src, string? sidecarFor, ImporterLimits limits)
    {
        var format = Detect(src);
        List<CheckpointTensor> tensors;
        IReadOnlyDictionary<string, object?> meta;
        TestSettings? settings = null;
        if (format == CheckpointFormat.Safetensors)
        {
            (tensors, var metadata) = SafetensorsReader.Read(src);
            meta = metadata.TryGetValue(MetaJson.MetadataKey, out var json)
                ? MetaJson.Read(json, $"{src.Name}: __metadata__")
                : metadata.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
            if (metadata.TryGetValue(SettingsResolver.MetadataKey, out var stored))
            {
                string origin = metadata.GetValueOrDefault(SettingsResolver.SourceKey) ?? "unknown";
                settings = Named(src, () => SettingsResolver.FromJson(stored, $"safetensors metadata (from {origin})", limits));
            }
        }
        else
        {
            var parts = format == CheckpointFormat.PthZip ? PthZipReader.Read(src, limits) : PthLegacyReader.Read(src, limits);
            tensors = parts.Tensors;
            meta = parts.Meta;
        }
        if (settings is null && SettingsResolver.FindConfigText(meta) is { } config)
            settings = Named(src, () => SettingsResolver.FromConfigText(config, SettingsResolver.MetaConfigSource, limits));
        if (settings is null && sidecarFor is not null)
            settings = SettingsResolver.FromSidecar(sidecarFor, limits);

        var byName = new Dictionary<string, CheckpointTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!byName.TryAdd(t.Name, t)) throw new ImporterException($"{src.Name}: tensor '{t.Name}' appears twice");
        }
        return new Checkpoint(src)
        {
            Path = src.Name,
            Format = format,
            Tensors = byName,
            Meta = meta,
            Settings = settings ?? TestSettings.R50Defaults,
        };
    }

    // Settings errors name their source ("checkpoint meta config"); the file's name goes in front.
    private static TestSettings? Named(ByteSource src, Func<TestSettings?> read)
    {
        try
        {
            return read();
        }
        catch (ImporterException e)
        {
            throw new ImporterException($"{src.Name}: {e.Message}", e);
        }
    }

    private static CheckpointFormat Detect(ByteSource src)
    {
        var head = src.Span(0, (int)Math.Min(src.Length, 16), "file signature");
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
            return CheckpointFormat.PthZip;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
            return CheckpointFormat.PthLegacy;
        if (head.Length >= 9 && head[8] == '{')
            return CheckpointFormat.Safetensors;
        throw new ImporterException($"{src.Name}: unrecognised format: first bytes {Convert.ToHexString(head)}; expected a zip .pth ('PK\\x03\\x04'), a legacy .pth (pickle '\\x80\\x02') or safetensors (8-byte size then '{{')");
    }

    /// <summary>
    /// Checks the state dict against <paramref name="expected"/> all at once and throws one <see cref="ImporterException"/>
    /// listing every missing key, unexpected key, shape mismatch and non-float dtype (num_batches_tracked ignored).
    /// </summary>
    public void Bind(IEnumerable<ParameterSpec> expected) => StateDictBinder.Check(Path, Tensors, expected);

    /// <summary>
    /// Writes this checkpoint as safetensors at <paramref name="path"/>: every tensor bit for bit, in file order, with
    /// <c>__metadata__</c> holding <c>format=pt</c>, the test settings and their source, the meta as JSON and the source file.
    /// </summary>
    /// <exception cref="ImporterException">The write failed (no partial file is left).</exception>
    public void SaveSafetensors(string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [SettingsResolver.MetadataKey] = SettingsResolver.ToJson(Settings),
            [SettingsResolver.SourceKey] = Settings.Source,
            [MetaJson.MetadataKey] = MetaJson.Write(Meta),
            ["condinst.converted_from"] = $"{System.IO.Path.GetFileName(Path)} ({Format})",
        };
        SafetensorsWriter.Write(path, Tensors.Values, metadata);
    }

    /// <summary>Releases memory maps.</summary>
    public void Dispose() => _source?.Dispose();
}
