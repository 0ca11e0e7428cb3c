using CondInst.Kernels.Cli;

namespace CondInst.Kernels.Server.Tests;

/// <summary>The shipped demo model and image, and what <c>condinst infer</c> makes of them (computed once).</summary>
internal static class TestData
{
    public static string Weights => Path.Combine(AppContext.BaseDirectory, "Data", "shapes.pth");

    public static string DemoImage => Path.Combine(AppContext.BaseDirectory, "Data", "demo_1.png");

    public static string DeployFolder => Path.Combine(AppContext.BaseDirectory, "Data", "deploy");

    private static readonly Lazy<string> InferOut = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"condinst-serve-infer-{Environment.ProcessId}");
        int rc = Program.Run(["infer", "--weights", Weights, "--image", DemoImage, "--out", dir, "--device", "cpu"], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, rc);
        return dir;
    });

    /// <summary>results.json that <c>infer</c> writes for the demo image on the cpu backend.</summary>
    public static byte[] InferResults => File.ReadAllBytes(Path.Combine(InferOut.Value, "results.json"));

    /// <summary>The overlay PNG that <c>infer</c> writes for the demo image.</summary>
    public static byte[] InferOverlay => File.ReadAllBytes(Path.Combine(InferOut.Value, "demo_1.png"));

    /// <summary>A server on free loopback ports with the demo model on the cpu backend.</summary>
    public static ServerOptions Options(int queueCapacity = 16, long maxRequestBytes = 32L << 20) => new()
    {
        Weights = Weights,
        Port = 0,
        GrpcPort = 0,
        Host = "127.0.0.1",
        Device = "cpu",
        QueueCapacity = queueCapacity,
        MaxRequestBytes = maxRequestBytes,
    };
}
