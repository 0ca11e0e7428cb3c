using System.Diagnostics;
using System.Threading.Channels;

namespace CondInst.Kernels.Server;

/// <summary>
/// The bounded queue in front of the model and the one worker that drains it. A full queue refuses at once
/// (<see cref="ServeException.Overloaded"/>) instead of letting callers time out. With a maximum batch above 1 the
/// worker groups queued requests into one model pass, waiting at most the configured delay for the group to fill.
/// A request whose deadline passed while it waited is skipped, never run.
/// </summary>
internal sealed class InferenceQueue : IAsyncDisposable
{
    private readonly Channel<WorkItem> _channel;
    private readonly IBatchPredictor _predictor;
    private readonly ServerMetrics _metrics;
    private readonly int _capacity;
    private readonly int _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly Task _worker;

    public InferenceQueue(IBatchPredictor predictor, ServerMetrics metrics, int capacity, int maxBatch, int maxDelayMs)
    {
        _predictor = predictor;
        _metrics = metrics;
        _capacity = capacity;
        _maxBatch = maxBatch;
        _maxDelay = TimeSpan.FromMilliseconds(maxDelayMs);
        _channel = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Queues <paramref name="images"/> (one request) and waits for their segmentations, at most until <paramref name="deadline"/>.</summary>
    public async Task<IReadOnlyList<Segmentation>> RunAsync(IReadOnlyList<PreparedImage> images, TimeSpan deadline, CancellationToken aborted)
    {
        var item = new WorkItem(images);
        if (!_channel.Writer.TryWrite(item))
        {
            // TryWrite fails for a full queue, or a completed one (the server is stopping).
            if (_channel.Reader.Completion.IsCompleted || _disposed) throw ServeException.Unavailable("the server is shutting down");
            throw ServeException.Overloaded($"the queue is full ({_capacity} requests waiting); retry later");
        }
        _metrics.AddQueueDepth(1);
        try
        {
            return await item.Done.Task.WaitAsync(deadline, aborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            item.Abandon();
            throw ServeException.Deadline($"no result within the request deadline of {deadline.TotalMilliseconds:F0} ms");
        }
        catch (OperationCanceledException)
        {
            item.Abandon();
            throw;
        }
    }

    private volatile bool _disposed;

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<WorkItem>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            int images = 0;
            Take(batch, ref images);
            if (_maxBatch > 1 && images < _maxBatch && _maxDelay > TimeSpan.Zero)
            {
                // Wait for company, at most the delay, and take what came.
                using var timer = new CancellationTokenSource(_maxDelay);
                try
                {
                    while (images < _maxBatch && await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false)) Take(batch, ref images);
                }
                catch (OperationCanceledException)
                {
                }
            }
            Run(batch);
        }
    }

    private void Take(List<WorkItem> batch, ref int images)
    {
        while ((batch.Count == 0 || images < _maxBatch) && _channel.Reader.TryRead(out var item))
        {
            _metrics.AddQueueDepth(-1);
            if (!item.Start()) continue; // abandoned while queued
            _metrics.Stage("queue", item.Waited.Elapsed.TotalSeconds);
            batch.Add(item);
            images += item.Images.Count;
        }
    }

    private void Run(List<WorkItem> batch)
    {
        if (batch.Count == 0) return;
        var all = batch.SelectMany(b => b.Images).ToList();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Segmentation> results;
        try
        {
            results = _predictor.Predict(all);
        }
        catch (Exception e)
        {
            foreach (var item in batch) item.Done.TrySetException(e);
            return;
        }
        _metrics.Stage("model", clock.Elapsed.TotalSeconds);
        _metrics.Batch(all.Count);
        int offset = 0;
        foreach (var item in batch)
        {
            item.Done.TrySetResult([.. results.Skip(offset).Take(item.Images.Count)]);
            offset += item.Images.Count;
        }
    }

    /// <summary>Stops taking requests, finishes the queued ones, then stops the worker.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _channel.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private sealed class WorkItem(IReadOnlyList<PreparedImage> images)
    {
        private int _state; // 0 queued, 1 started, 2 abandoned

        public IReadOnlyList<PreparedImage> Images { get; } = images;

        public TaskCompletionSource<IReadOnlyList<Segmentation>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Stopwatch Waited { get; } = Stopwatch.StartNew();

        public bool Start() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Abandon() => Interlocked.CompareExchange(ref _state, 2, 0);
    }
}
