namespace CondInst.Kernels.Coco;

/// <summary>
/// Polygons and boxes to run lengths exactly as pycocotools rasterises them (<c>rleFrPoly</c>, <c>rleFrBbox</c>),
/// so masks made from annotation files give the same IoUs as in pycocotools.
/// <para>The method: scale the vertices by 5 and round to integers; walk every edge along its longer axis,
/// one integer step at a time, rounding the other coordinate; keep the points where the walk crosses a pixel
/// column boundary (at the scaled grid's pixel centres), take the upper row there (clamped to 0..H, rounded up),
/// and read the sorted column-major positions of these crossings as the run boundaries.</para>
/// </summary>
public static class PolygonRasterizer
{
    private const double Scale = 5;

    /// <summary>One polygon [x0, y0, x1, y1, …] (image pixels) → a mask of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static RleMask FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        int k = xy.Length / 2;
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (int j = 0; j < k; j++)
        {
            x[j] = (int)(Scale * xy[2 * j] + .5); // truncation toward zero, as C's cast
            y[j] = (int)(Scale * xy[2 * j + 1] + .5);
        }
        if (k > 0)
        {
            x[k] = x[0];
            y[k] = y[0];
        }

        // Dense boundary points on the scaled grid, one per unit step along each edge's longer axis.
        var u = new List<int>();
        var v = new List<int>();
        for (int j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }
            if (dx >= dy)
            {
                double s = dx == 0 ? 0 : (double)(ye - ys) / dx; // a repeated vertex: one point, never used below
                for (int d = 0; d <= dx; d++)
                {
                    int t = flip ? dx - d : d;
                    u.Add(t + xs);
                    v.Add((int)(ys + s * t + .5));
                }
            }
            else
            {
                double s = (double)(xe - xs) / dy;
                for (int d = 0; d <= dy; d++)
                {
                    int t = flip ? dy - d : d;
                    v.Add(t + ys);
                    u.Add((int)(xs + s * t + .5));
                }
            }
        }

        // Column-boundary crossings, back on the pixel grid: (column, first row inside) → column-major position.
        var starts = new List<uint>();
        for (int j = 1; j < u.Count; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
            xd = (xd + .5) / Scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / Scale - .5;
            if (yd < 0) yd = 0;
            else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            starts.Add(unchecked((uint)((int)xd * height + (int)yd)));
        }
        starts.Add((uint)(height * width));
        starts.Sort();

        // Differences are the runs; a zero-length run merges its two neighbours.
        var runs = new List<uint>(starts.Count);
        uint previous = 0;
        for (int j = 0; j < starts.Count; j++)
        {
            uint t = starts[j];
            starts[j] -= previous;
            previous = t;
        }
        int i = 0;
        runs.Add(starts[i++]);
        while (i < starts.Count)
        {
            if (starts[i] > 0) runs.Add(starts[i++]);
            else
            {
                i++;
                if (i < starts.Count) runs[^1] += starts[i++];
            }
        }
        return new RleMask(height, width, [.. runs]);
    }

    /// <summary>A box [x, y, w, h] → a mask, as the polygon of its four corners (pycocotools' <c>frBbox</c>).</summary>
    public static RleMask FromBox(ReadOnlySpan<double> box, int height, int width)
    {
        double xs = box[0], xe = xs + box[2], ys = box[1], ye = ys + box[3];
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    /// <summary>
    /// The mask of an annotation's polygon list, as pycocotools' <c>annToRLE</c>: each part rasterised and the
    /// parts united.
    /// </summary>
    public static RleMask FromPolygons(IReadOnlyList<double[]> parts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("a polygon segmentation needs at least one polygon");
        var masks = new RleMask[parts.Count];
        for (int i = 0; i < parts.Count; i++) masks[i] = FromPolygon(parts[i], height, width);
        return RleOps.Merge(masks);
    }
}
