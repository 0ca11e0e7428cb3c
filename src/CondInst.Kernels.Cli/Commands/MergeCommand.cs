using System.CommandLine;
using System.Text.Json;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Cli.Commands;

/// <summary>
/// <c>merge</c>: joins the results of <c>infer --shard i/n</c> (OUT/shard-i-of-n/results.json for every i) into
/// OUT/results.json, equal byte for byte to what one unsharded run writes.
/// </summary>
public static class MergeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var folder = new Argument<string>("folder") { Description = "The --out folder the shards wrote into (holds shard-i-of-n/ folders)" };
        var output = new Option<string?>("--out") { Description = "Merged results file (default FOLDER/results.json)" };
        var command = new Command("merge", "Join the results.json of every shard (infer --shard i/n) into one results.json.") { folder, output };
        command.SetAction(r =>
        {
            string target = r.GetValue(output) ?? Path.Combine(r.GetValue(folder)!, CocoResultsWriter.ResultsFileName);
            int n = Merge(r.GetValue(folder)!, target);
            stdout.WriteLine($"merged {n} shard(s) into {target}");
            return 0;
        });
        return command;
    }

    /// <summary>A shard with no files (more workers than images) writes an empty results list, so merge finds every shard.</summary>
    public static int WriteEmptyShard(string outDir, TextWriter stdout)
    {
        Directory.CreateDirectory(outDir);
        string path = Path.Combine(outDir, CocoResultsWriter.ResultsFileName);
        File.WriteAllText(path, "[]");
        stdout.WriteLine($"0 image(s) in this shard; results:  {path}");
        return 0;
    }

    /// <summary>Merges the shards under <paramref name="folder"/> into <paramref name="target"/>; returns the shard count.</summary>
    public static int Merge(string folder, string target)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"merge: folder '{folder}' does not exist");
        var shards = Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Shard: Shard.FromFolderName(Path.GetFileName(d))))
            .Where(s => s.Shard is not null).Select(s => (s.Path, Shard: s.Shard!)).ToList();
        if (shards.Count == 0) throw new FileNotFoundException($"merge: '{folder}' holds no shard-i-of-n folders (written by infer --shard i/n)");
        var counts = shards.Select(s => s.Shard.Count).Distinct().ToList();
        if (counts.Count != 1) throw new ArgumentException($"merge: '{folder}' mixes shard counts {string.Join(", ", counts)}; keep one run's shards only");
        int n = counts[0];
        var missing = Enumerable.Range(0, n).Where(i => !shards.Any(s => s.Shard.Index == i)).ToList();
        if (missing.Count > 0) throw new FileNotFoundException($"merge: shard(s) {string.Join(", ", missing)} of {n} are missing under '{folder}'");
        var files = shards.OrderBy(s => s.Shard.Index).Select(s => Path.Combine(s.Path, CocoResultsWriter.ResultsFileName)).ToList();
        foreach (var f in files)
            if (!File.Exists(f)) throw new FileNotFoundException($"merge: '{f}' does not exist (did that shard finish?)");
        // The entries are copied as they are (numbers keep their text), in shard order, written as the writer writes them.
        var docs = new List<JsonDocument>();
        try
        {
            foreach (var f in files)
            {
                var doc = JsonDocument.Parse(File.ReadAllBytes(f));
                docs.Add(doc);
                if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"merge: '{f}' is not a results list (JSON array)");
            }
            string? dir = Path.GetDirectoryName(Path.GetFullPath(target));
            if (dir is not null) Directory.CreateDirectory(dir);
            string temp = target + ".tmp";
            using (var stream = File.Create(temp))
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartArray();
                foreach (var doc in docs)
                    foreach (var entry in doc.RootElement.EnumerateArray()) entry.WriteTo(json);
                json.WriteEndArray();
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            foreach (var d in docs) d.Dispose();
        }
        return n;
    }
}
