namespace CondInst.Kernels.Model;

/// <summary>The preprocessing stages as the fixture stores them: <c>resized_uint8</c> (CHW BGR) and <c>input</c>.</summary>
internal static class InputDumps
{
    /// <summary>Reports the resized image (HWC on the device) and the network input.</summary>
    public static void Report(IStageObserver o, IBackend b, Tensor resized, Tensor input)
    {
        o.Array("resized_uint8", () =>
        {
            int h = resized.Dim(0), w = resized.Dim(1);
            var hwc = new byte[resized.Length];
            b.Download<byte>(resized, hwc);
            var chw = new byte[hwc.Length];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < h * w; i++) chw[c * h * w + i] = hwc[i * 3 + c];
            return NpyArray.FromBytes(chw, asBool: false, 3, h, w);
        });
        o.Tensor("input", input);
    }
}
