using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace CondInst.Kernels.Server.Tests;

/// <summary>
/// The real <c>condinst serve</c> process: SIGTERM during a request lets it complete, then the process exits 0. A
/// server embedded in another process leaves SIGTERM to that process.
/// </summary>
public sealed partial class SigtermTests
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SigTerm = 15;

    [Fact]
    public async Task Sigterm_during_a_request_completes_it_and_exits_0()
    {
        var ct = TestContext.Current.CancellationToken;
        int port = FreePort(), grpcPort = FreePort();
        string cli = Path.Combine(AppContext.BaseDirectory, "condinst.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "serve", "--weights", TestData.Weights, "--device", "cpu", "--port", $"{port}", "--grpc-port", $"{grpcPort}", "--log-format", "text" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(process.HasExited, $"the server exited early: {output}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"not ready after 3 minutes: {output}");
                try
                {
                    if ((await http.GetAsync("/v2/health/ready", ct)).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(100, ct);
            }

            // Send the headers and half the body, so the request is certainly in flight when SIGTERM arrives.
            byte[] png = File.ReadAllBytes(TestData.DemoImage);
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/segment?file_name=demo_1.png HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {png.Length}\r\nConnection: close\r\n\r\n"), ct);
            await stream.WriteAsync(png.AsMemory(0, png.Length / 2), ct);
            while (!(await http.GetStringAsync("/metrics", ct)).Contains("\ncondinst_requests_in_flight 1\n", StringComparison.Ordinal)) await Task.Delay(10, ct);

            Assert.Equal(0, Kill(process.Id, SigTerm));
            await Task.Delay(300, ct); // the stop has begun: new connections are refused from here on
            await stream.WriteAsync(png.AsMemory(png.Length / 2), ct);
            var response = new MemoryStream();
            await stream.CopyToAsync(response, ct);
            string text = Encoding.UTF8.GetString(response.ToArray());
            Assert.StartsWith("HTTP/1.1 200", text);
            Assert.EndsWith(Encoding.UTF8.GetString(TestData.InferResults), text);

            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {output}");
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    [Fact]
    public async Task An_embedded_server_leaves_sigterm_to_its_process()
    {
        // This test process takes SIGTERM itself (and cancels its default action); the embedded server must neither
        // begin a stop nor take the signal. With the host's console lifetime it did both: that lifetime's handler
        // cancelled the process's default action (a load generator ignored SIGTERM) and requested the stop.
        var ct = TestContext.Current.CancellationToken;
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var mine = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            received.TrySetResult();
        });
        await using var host = ServerHost.Create(TestData.Options(), null, logging => { });
        await host.StartAsync();
        await host.Loaded;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.RestPort}") };
        Assert.True((await http.GetAsync("/v2/health/ready", ct)).IsSuccessStatusCode);

        Assert.Equal(0, Kill(Environment.ProcessId, SigTerm));
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await Task.Delay(500, ct); // time for a stop to begin, had one been started
        Assert.False(host.StopRequested.IsCancellationRequested, "the embedded server took the process's SIGTERM");
        using var response = await http.PostAsync("/v1/segment?file_name=demo_1.png", new ByteArrayContent(File.ReadAllBytes(TestData.DemoImage)), ct);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(TestData.InferResults, await response.Content.ReadAsByteArrayAsync(ct));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
