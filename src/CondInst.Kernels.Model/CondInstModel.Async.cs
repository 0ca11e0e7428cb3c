using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace CondInst.Kernels.Model;

// Asynchronous and batch predictions: the same stages, run off the caller's thread, with cancellation checked at
// every stage end. A batch decodes the next images while the network runs and pastes each image's masks while the
// network runs on the next image (CondInstModel.Run.cs).
public sealed partial class CondInstModel
{
    /// <summary>Images decoded ahead of the one the network is running on, in a batch.</summary>
    public const int DecodeAhead = 2;

    /// <summary>
    /// <see cref="Predict(string, IStageObserver?)"/> on the thread pool. <paramref name="cancel"/> is checked before
    /// decoding and at every stage end; a cancelled prediction throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task<DetectionResult> PredictAsync(string imagePath, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        return Task.Run(() =>
        {
            cancel.ThrowIfCancellationRequested();
            return Run(ImageLoader.Load(imagePath), Path.GetFileName(imagePath), null, cancel);
        }, cancel);
    }

    /// <summary>Reads <paramref name="stream"/> to its end asynchronously, then decodes and predicts on the thread pool (see <see cref="PredictAsync(string, CancellationToken)"/>).</summary>
    public async Task<DetectionResult> PredictAsync(Stream stream, string name = "image", CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new ImageLoadException(name, $"cannot read the stream: {e.Message}", e);
        }
        return await PredictAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), name, cancel).ConfigureAwait(false);
    }

    /// <summary>Decodes an encoded image held in memory and predicts, on the thread pool (see <see cref="PredictAsync(string, CancellationToken)"/>).</summary>
    public Task<DetectionResult> PredictAsync(ReadOnlyMemory<byte> encoded, string name = "image", CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Task.Run(() =>
        {
            cancel.ThrowIfCancellationRequested();
            return Run(ImageLoader.Load(encoded, name), name, null, cancel);
        }, cancel);
    }

    /// <summary>
    /// Predicts every image file in order, decoding up to <see cref="DecodeAhead"/> images ahead on another thread
    /// while the network runs, and pasting each image's masks while the network runs on the next one. Results come back in input order as they are ready. A file that cannot be decoded
    /// throws its <see cref="ImageLoadException"/> at its place in the sequence (the results before it have been
    /// returned; catch it and call again with the rest to skip it).
    /// </summary>
    public IEnumerable<DetectionResult> PredictBatch(IEnumerable<string> imagePaths, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        return Iterate(imagePaths, cancel);

        IEnumerable<DetectionResult> Iterate(IEnumerable<string> paths, CancellationToken token)
        {
            var e = PredictBatchAsync(paths, token).GetAsyncEnumerator(token);
            try
            {
                while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) yield return e.Current;
            }
            finally
            {
                e.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>
    /// <see cref="PredictBatch"/> as an asynchronous stream: each result is yielded when its prediction finishes,
    /// the next images being decoded meanwhile. <paramref name="cancel"/> stops decoding and the prediction in flight
    /// at its next stage end.
    /// </summary>
    public async IAsyncEnumerable<DetectionResult> PredictBatchAsync(IEnumerable<string> imagePaths, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var decoded = Channel.CreateBounded<Func<(DecodedImage Image, string FileName)>>(
            new BoundedChannelOptions(DecodeAhead) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() => DecodeAll(imagePaths, decoded.Writer, stop.Token));
        Task<DetectionResult>? finishing = null; // the previous image's mask stage
        try
        {
            await foreach (var next in decoded.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                (DecodedImage Image, string FileName) item = default;
                ExceptionDispatchInfo? failed = null;
                try
                {
                    item = next(); // a decoding error surfaces here, after the results before it
                }
                catch (ImageLoadException e)
                {
                    failed = ExceptionDispatchInfo.Capture(e);
                }
                if (failed is not null)
                {
                    if (finishing is not null)
                    {
                        var previous = await finishing.ConfigureAwait(false);
                        finishing = null;
                        yield return previous;
                    }
                    failed.Throw();
                }
                // The network stage of this image runs while the previous image's masks are pasted.
                var o = Observe(null, stop.Token);
                var (image, fileName) = (item.Image!, item.FileName!); // set: a failed decode has thrown above
                var network = await Task.Run(() => RunNetwork(image.Bgr, image.Width, image.Height, image.Name, fileName, o, stop.Token, pasteHere: false),
                    stop.Token).ConfigureAwait(false);
                if (finishing is not null)
                {
                    var previous = await finishing.ConfigureAwait(false);
                    finishing = null;
                    yield return previous;
                }
                finishing = Task.Run(() => FinishMasks(network, o, stop.Token), stop.Token);
            }
            if (finishing is not null)
            {
                var last = await finishing.ConfigureAwait(false);
                finishing = null;
                yield return last;
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                if (finishing is not null) await finishing.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped early; the mask stage in flight was cancelled.
            }
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped early; the producer's cancellation is expected.
            }
        }
    }

    private static async Task DecodeAll(IEnumerable<string> paths, ChannelWriter<Func<(DecodedImage, string)>> writer, CancellationToken cancel)
    {
        try
        {
            foreach (var path in paths)
            {
                cancel.ThrowIfCancellationRequested();
                Func<(DecodedImage, string)> item;
                try
                {
                    var image = ImageLoader.Load(path);
                    item = () => (image, Path.GetFileName(path));
                }
                catch (ImageLoadException e)
                {
                    var error = ExceptionDispatchInfo.Capture(e);
                    item = () =>
                    {
                        error.Throw();
                        throw e;
                    };
                }
                await writer.WriteAsync(item, cancel).ConfigureAwait(false);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }
}
