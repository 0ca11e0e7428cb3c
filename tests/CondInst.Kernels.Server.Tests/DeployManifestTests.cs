using System.CommandLine;
using System.Text.RegularExpressions;
using CondInst.Kernels.Cli.Commands;

namespace CondInst.Kernels.Server.Tests;

/// <summary>
/// The manifests under deploy/ and the Dockerfile cannot be applied here; this checks that every variable, flag,
/// port and probe path in them is one the server honours, taken from the server's own definitions.
/// </summary>
public sealed partial class DeployManifestTests
{
    public static TheoryData<string> Manifests => [.. Directory.EnumerateFiles(TestData.DeployFolder, "*.yaml", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(TestData.DeployFolder, f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void All_manifests_are_there() =>
        Assert.Equal(["kserve/inferenceservice-gpu.yaml", "kserve/inferenceservice-grpc.yaml", "kserve/inferenceservice.yaml", "kubernetes/deployment.yaml", "kubernetes/job-sharded.yaml"],
            Manifests.Select(m => m.Data.Replace('\\', '/')));

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_value_in_a_manifest_is_one_the_server_honours(string manifest)
    {
        string text = File.ReadAllText(Path.Combine(TestData.DeployFolder, manifest));
        // Environment: only the server's variables, each with a value the server accepts.
        var env = EnvEntry().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var known = ServerSettings.All.Select(s => s.EnvironmentVariable).ToHashSet();
        Assert.All(env.Keys, k => Assert.Contains(k, known));
        var options = ServerSettings.Resolve(_ => null, v => env.GetValueOrDefault(v) ?? (v == ServerSettings.Weights.EnvironmentVariable ? "w.pth" : null));
        Assert.All(Regex.Matches(text, @"CONDINST_\w+").Select(m => m.Value), v => Assert.Contains(v, known)); // comments too

        // Probe paths and ports: the REST port the server will bind with this environment.
        var paths = Regex.Matches(text, @"(?m)^\s*path: (\S+)$").Select(m => m.Groups[1].Value).ToList();
        Assert.All(paths, p => Assert.Contains(p, new[] { ServerPaths.Live, ServerPaths.Ready }));
        foreach (Match m in Regex.Matches(text, @"prometheus\.io/path: (\S+)")) Assert.Equal(ServerPaths.Metrics, m.Groups[1].Value);
        foreach (Match m in Regex.Matches(text, @"prometheus\.io/port: ""(\d+)""")) Assert.Equal(options.Port, int.Parse(m.Groups[1].Value));
        var probePorts = Regex.Matches(text, @"httpGet:\s*\n\s*path: \S+\s*\n\s*port: (\d+)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(paths.Count, probePorts.Count);
        Assert.All(probePorts, p => Assert.Equal(options.Port, p));
        foreach (Match m in Regex.Matches(text, @"(?:containerPort|targetPort): (\d+)"))
            Assert.Contains(int.Parse(m.Groups[1].Value), new[] { options.Port, options.GrpcPort });

        // Arguments: each container's args parse as a condinst command line.
        foreach (Match m in Regex.Matches(text, @"args: \[(.*?)\]", RegexOptions.Singleline))
        {
            var args = Regex.Matches(m.Groups[1].Value, "\"([^\"]*)\"").Select(a => a.Groups[1].Value.Replace("$(JOB_COMPLETION_INDEX)", "0")).ToArray();
            var root = new RootCommand { ServeCommand.Create(), InferCommand.Create(TextWriter.Null, TextWriter.Null), MergeCommand.Create(TextWriter.Null) };
            var parsed = root.Parse(args);
            Assert.True(parsed.Errors.Count == 0, $"{manifest}: args [{string.Join(' ', args)}]: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
            if (args.Contains("--shard"))
            {
                var shard = Shard.Parse(args[Array.IndexOf(args, "--shard") + 1]);
                Assert.Contains($"completions: {shard.Count}", text);
            }
        }
    }

    [Fact]
    public void Dockerfile_ports_variables_and_healthcheck_are_the_servers()
    {
        string text = File.ReadAllText(Path.Combine(TestData.DeployFolder, "Dockerfile"));
        // The ENV instruction comes after the usage comment: the last assignment of a name wins.
        var env = Regex.Matches(text, @"(CONDINST_\w+)=(\S+)").GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Last().Groups[2].Value);
        Assert.All(env.Keys, k => Assert.Contains(k, ServerSettings.All.Select(s => s.EnvironmentVariable)));
        var options = ServerSettings.Resolve(_ => null, v => env.GetValueOrDefault(v));
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Matches($@"(?m)^EXPOSE {options.Port} {options.GrpcPort}$", text);
        Assert.Contains($"/dev/tcp/127.0.0.1/{options.Port}", text);
        Assert.Contains($"GET {ServerPaths.Ready} ", text);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/runtime-deps:\S+ AS runtime$", text);
        Assert.Matches(@"(?m)^USER \S+$", text);
        Assert.Matches(@"(?m)^HEALTHCHECK ", text);
    }

    [GeneratedRegex(@"- name: (CONDINST_\w+)\s*\n\s*value: ""([^""]*)""")]
    private static partial Regex EnvEntry();
}
