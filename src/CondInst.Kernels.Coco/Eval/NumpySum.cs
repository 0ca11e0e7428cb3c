namespace CondInst.Kernels.Coco;

/// <summary>
/// The sum numpy computes for a 1-D float64 array (<c>np.sum</c>, <c>np.mean</c>): blocks of 8192 elements (its
/// buffer size) added in order, each summed pairwise (halves down to 128 elements, then eight running sums).
/// The summary numbers are means of thousands of precisions; summed in this order they round to the same last
/// bit as pycocotools', so the printed three decimals agree even on a tie like 0.1575.
/// </summary>
internal static class NumpySum
{
    private const int Buffer = 8192;
    private const int Block = 128;

    public static double Sum(ReadOnlySpan<double> values)
    {
        double total = 0;
        for (int start = 0; start < values.Length; start += Buffer)
            total += Pairwise(values.Slice(start, Math.Min(Buffer, values.Length - start)));
        return total;
    }

    private static double Pairwise(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= Block)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return Pairwise(a[..half]) + Pairwise(a[half..]);
    }
}
