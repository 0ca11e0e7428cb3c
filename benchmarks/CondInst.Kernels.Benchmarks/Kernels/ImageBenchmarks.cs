namespace CondInst.Kernels.Benchmarks;

/// <summary>
/// Preprocessing on the device: Pillow-exact bilinear resize of uint8 HWC BGR images to the R-50 test scale
/// (a COCO-sized 640x480 up to 1067x800; a 1920x1080 frame down to 1333x750, where the filter support widens),
/// and the normalise + pad to the padded network input. No ONNX Runtime peer (ORT's Resize is not Pillow's).
/// </summary>
public class ImageBenchmarks : KernelBenchmark
{
    private static readonly KernelCase[] All =
    [
        Resize("pillow 640x480>1067x800", 640, 480, 1067, 800),
        Resize("pillow 1920x1080>1333x750", 1920, 1080, 1333, 750),
        new("normalize+pad 1067x800>1088x800", new Work(2.0 * 3 * 800 * 1067, 3.0 * 800 * 1067 + 4.0 * 3 * 800 * 1088),
            (b, owned) =>
            {
                var x = Bytes(b, owned, 800, 1067);
                var y = Empty(b, owned, DType.Float32, 1, 3, 800, 1088);
                float[] mean = [123.675f, 116.28f, 103.53f], std = [58.395f, 57.12f, 57.375f];
                return () =>
                {
                    b.NormalizePad(x, y, mean, std, reverseChannels: true);
                    b.Synchronize();
                };
            }),
    ];

    protected override IReadOnlyList<KernelCase> Cases => All;

    // Work counted as bytes only: the fixed-point filter's operation count depends on the support.
    private static KernelCase Resize(string name, int w, int h, int ow, int oh) =>
        new(name, new Work(0, 3.0 * (w * h + ow * oh)),
            (b, owned) =>
            {
                var x = Bytes(b, owned, h, w);
                var y = Empty(b, owned, DType.UInt8, oh, ow, 3);
                return () =>
                {
                    b.ResizePillowBilinear(x, y);
                    b.Synchronize();
                };
            });

    private static Tensor Bytes(IBackend b, List<IDisposable> owned, int h, int w)
    {
        var data = new byte[h * w * 3];
        new Random(1).NextBytes(data);
        var t = b.Upload<byte>(data, h, w, 3);
        owned.Add(t);
        return t;
    }
}
