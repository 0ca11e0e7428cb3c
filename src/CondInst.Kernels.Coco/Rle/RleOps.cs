namespace CondInst.Kernels.Coco;

/// <summary>
/// Operations on run lengths with pycocotools' exact results (<c>maskApi.c</c>): union/intersection, tight box,
/// and the IoU matrix with COCO's crowd rule.
/// </summary>
public static class RleOps
{
    /// <summary>
    /// Union (or intersection) of masks of one size (pycocotools' <c>merge</c>). Masks of different sizes give an
    /// empty 0x0 mask, as pycocotools does; none gives a 0x0 mask too.
    /// </summary>
    public static RleMask Merge(IReadOnlyList<RleMask> masks, bool intersect = false)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count == 0) return new RleMask(0, 0, []);
        var acc = masks[0].CountsArray;
        if (masks.Count == 1) return new RleMask(masks[0].Height, masks[0].Width, (uint[])acc.Clone());
        int h = masks[0].Height, w = masks[0].Width;
        for (int i = 1; i < masks.Count; i++)
        {
            if (masks[i].Height != h || masks[i].Width != w) return new RleMask(0, 0, []);
            acc = MergeTwo(acc, masks[i].CountsArray, intersect);
        }
        return new RleMask(h, w, acc);
    }

    // Walks both run lists at once; a run of the result closes whenever the combined value flips, and at the end.
    private static uint[] MergeTwo(uint[] a, uint[] b, bool intersect)
    {
        var result = new List<uint>(a.Length + b.Length);
        uint ca = a.Length > 0 ? a[0] : 0, cb = b.Length > 0 ? b[0] : 0;
        int ia = 1, ib = 1;
        bool va = false, vb = false, v = false;
        uint run = 0, left = 1;
        while (left > 0)
        {
            uint c = Math.Min(ca, cb);
            run += c;
            ca -= c;
            if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
            cb -= c;
            if (cb == 0 && ib < b.Length) { cb = b[ib++]; vb = !vb; }
            left = ca + cb;
            bool previous = v;
            v = intersect ? va && vb : va || vb;
            if (v != previous || left == 0)
            {
                result.Add(run);
                run = 0;
            }
        }
        return [.. result];
    }

    /// <summary>
    /// The box [x, y, w, h] of a mask as pycocotools' <c>rleToBbox</c> gives it: the columns of the first and last
    /// foreground pixel, the rows spanned by run ends; a foreground run that continues into the next column makes
    /// the box full height (pycocotools' shortcut, kept for equal numbers). An empty mask gives [0, 0, 0, 0].
    /// </summary>
    public static double[] ToBox(RleMask rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        var box = new double[4];
        ToBox(rle, box);
        return box;
    }

    internal static void ToBox(RleMask rle, Span<double> box)
    {
        var cnts = rle.Counts;
        uint h = (uint)rle.Height, w = (uint)rle.Width;
        int m = cnts.Length / 2 * 2;
        box.Clear();
        if (m == 0 || h == 0) return;
        uint xs = w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        for (int j = 0; j < m; j++)
        {
            cc += cnts[j];
            uint t = unchecked(cc - (uint)(j % 2)); // start of a foreground run (j even) or its last pixel (j odd)
            uint y = t % h, x = (t - y) / h;
            if (j % 2 == 0) xp = x;
            else if (xp < x) { ys = 0; ye = h - 1; }
            xs = Math.Min(xs, x);
            xe = Math.Max(xe, x);
            ys = Math.Min(ys, y);
            ye = Math.Max(ye, y);
        }
        box[0] = xs;
        box[2] = xe - xs + 1;
        box[1] = ys;
        box[3] = ye - ys + 1;
    }

    /// <summary>
    /// IoU of every detection box with every ground-truth box ([x, y, w, h]), laid out [g·D + d] as pycocotools'
    /// <c>bbIou</c>. Against a crowd ground truth the union is the detection's own area.
    /// </summary>
    public static double[] BoxIou(IReadOnlyList<double[]> dt, IReadOnlyList<double[]> gt, IReadOnlyList<bool> crowd)
    {
        var o = new double[dt.Count * gt.Count];
        for (int g = 0; g < gt.Count; g++)
            for (int d = 0; d < dt.Count; d++)
                o[g * dt.Count + d] = BoxIou(dt[d], gt[g], crowd[g]);
        return o;
    }

    internal static double BoxIou(ReadOnlySpan<double> d, ReadOnlySpan<double> g, bool crowd)
    {
        double w = Math.Min(d[2] + d[0], g[2] + g[0]) - Math.Max(d[0], g[0]);
        if (w <= 0) return 0;
        double h = Math.Min(d[3] + d[1], g[3] + g[1]) - Math.Max(d[1], g[1]);
        if (h <= 0) return 0;
        double i = w * h, da = d[2] * d[3];
        double u = crowd ? da : da + g[2] * g[3] - i;
        return i / u;
    }

    /// <summary>
    /// Mask IoU of every detection with every ground truth, laid out [g·D + d] as pycocotools' <c>rleIou</c>: 0
    /// where the boxes do not overlap, −1 where the sizes differ, and for a crowd ground truth the union is the
    /// detection's area.
    /// </summary>
    public static double[] MaskIou(IReadOnlyList<RleMask> dt, IReadOnlyList<RleMask> gt, IReadOnlyList<bool> crowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(crowd);
        int m = dt.Count, n = gt.Count;
        var dBox = new double[m * 4];
        var gBox = new double[n * 4];
        for (int d = 0; d < m; d++) ToBox(dt[d], dBox.AsSpan(d * 4, 4));
        for (int g = 0; g < n; g++) ToBox(gt[g], gBox.AsSpan(g * 4, 4));
        var o = new double[m * n];
        for (int g = 0; g < n; g++)
        {
            for (int d = 0; d < m; d++)
            {
                // Boxes first: masks whose boxes do not overlap cannot overlap.
                if (BoxIou(dBox.AsSpan(d * 4, 4), gBox.AsSpan(g * 4, 4), crowd[g]) <= 0) continue;
                if (dt[d].Height != gt[g].Height || dt[d].Width != gt[g].Width) { o[g * m + d] = -1; continue; }
                o[g * m + d] = MaskIou(dt[d].CountsArray, gt[g].CountsArray, crowd[g]);
            }
        }
        return o;
    }

    private static double MaskIou(uint[] a, uint[] b, bool crowd)
    {
        uint ca = a[0], cb = b[0], inter = 0, union = 0, left = 1;
        int ia = 1, ib = 1;
        bool va = false, vb = false;
        while (left > 0)
        {
            uint c = Math.Min(ca, cb);
            if (va || vb)
            {
                union += c;
                if (va && vb) inter += c;
            }
            ca -= c;
            if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
            cb -= c;
            if (cb == 0 && ib < b.Length) { cb = b[ib++]; vb = !vb; }
            left = ca + cb;
        }
        if (inter == 0) union = 1;
        else if (crowd)
        {
            union = 0;
            for (int j = 1; j < a.Length; j += 2) union += a[j];
        }
        return (double)inter / union;
    }
}
