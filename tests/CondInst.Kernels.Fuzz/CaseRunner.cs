using CondInst.Kernels.Importer;
using CondInst.Kernels.Model;

namespace CondInst.Kernels.Fuzz;

/// <summary>How one case ended.</summary>
public enum Outcome
{
    /// <summary>Loaded, and every tensor or pixel was readable.</summary>
    Loaded,

    /// <summary>Refused with the component's own exception (the expected failure).</summary>
    Refused,

    /// <summary>Any other exception: a defect.</summary>
    Untyped,

    /// <summary>Took longer than the per-case time limit (found by the watchdog).</summary>
    Hang,

    /// <summary>Used more memory than the per-case ceiling (found by the watchdog or as OutOfMemoryException).</summary>
    OverMemory,
}

/// <summary>Runs one case: the input of case <c>i</c> depends only on the seed, <c>i</c> and the seed files, so any finding can be replayed.</summary>
public static class CaseRunner
{
    /// <summary>
    /// Pixel limit while fuzzing: 16 M pixels (at most 128 MB of decoded pixels). Under the default limit a valid
    /// header may announce 179 M pixels and legitimately take about 1.4 GB; with this one, any case near the 1 GiB
    /// ceiling is memory the limit did not bound, which is what the ceiling is there to find.
    /// </summary>
    public static readonly ImageLimits FuzzImageLimits = new() { MaxImagePixels = 1 << 24 };

    /// <summary>The random source of case <paramref name="index"/> under <paramref name="seed"/> (deterministic across processes).</summary>
    public static Random For(int seed, long index) => new(unchecked((int)(seed * 1_000_003L + index * 0x9E3779B1L)));

    public static (Outcome Outcome, string? Detail) Run(Target target, byte[] input)
    {
        try
        {
            if (target.Checkpoint)
            {
                using var ckpt = Checkpoint.LoadBytes(input, "fuzz.pth");
                foreach (var t in ckpt.Tensors.Values)
                {
                    if (t.DType.IsFloat()) _ = t.ToFloat32();
                    else _ = t.Data.Length > 0 ? t.Data.Span[^1] : 0;
                }
                _ = ckpt.Settings.Describe();
            }
            else
            {
                var image = ImageLoader.Load(new MemoryStream(input), "fuzz", FuzzImageLimits);
                _ = image.Bgr[^1];
            }
            return (Outcome.Loaded, null);
        }
        catch (ImporterException) when (target.Checkpoint)
        {
            return (Outcome.Refused, null);
        }
        catch (ImageLoadException) when (!target.Checkpoint)
        {
            return (Outcome.Refused, null);
        }
        catch (OutOfMemoryException e)
        {
            return (Outcome.OverMemory, e.Message);
        }
        catch (Exception e)
        {
            return (Outcome.Untyped, $"{e.GetType().Name}: {e.Message} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
        }
    }
}
