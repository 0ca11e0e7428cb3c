using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>
/// Winograd F(4x4, 3x3) transforms (Lavin and Gray): a 4x4 output tile is A^T·[(G·g·G^T) ⊙ (B^T·d·B)]·A for a 6x6
/// input tile d and a 3x3 kernel g. Element ξ = 6i + j of a transformed tile is one of 36 independent GEMMs.
/// <para>
/// Derivation (Toom-Cook): F(4, 3) is the product of a degree-3 and a degree-2 polynomial, degree 5, so it needs six
/// interpolation points; we take 0, 1, -1, 2, -2 and ∞. B^T evaluates the input at those points (rows of the inverse
/// Vandermonde, scaled), G evaluates the kernel there (g0 + g1·p + g2·p², with the Lagrange denominators 4, -6, -6,
/// 24, 24, 1 folded in), and A^T reads the four outputs off the products (powers p^0..p^3 of each point; ∞ only
/// reaches the last output):
/// B^T = [[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]],
/// G = [[¼,0,0],[-⅙,-⅙,-⅙],[-⅙,⅙,-⅙],[1/24,1/12,⅙],[1/24,-1/12,⅙],[0,0,1]],
/// A^T = [[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]].
/// </para>
/// <para>
/// Why these points: the rounding error of Winograd grows with the magnitude of the points (A^T holds p^3, B^T the
/// products of the other points' distances); 0, ±1, ±2 are the smallest distinct values, so every entry of B^T and A^T
/// is a small integer (at most 8), exact in FP32, and the pairs ±p let the transforms share sums and differences
/// (even and odd parts). Only G has fractions; it is computed in double and rounded once per weight.
/// </para>
/// The vector forms work on 8 horizontally adjacent tiles at once, in the lane order (0, 2, 4, 6, 1, 3, 5, 7) that an
/// in-lane 4x4 transpose of four 8-float loads produces; the output transform transposes back, so the order never
/// shows outside a group of 8 tiles (<see cref="Lane"/> maps a tile of the group to its lane for the scalar edges).
/// </summary>
internal static unsafe class Winograd4Transforms
{
    /// <summary>Side of the input tile (4 outputs + 2).</summary>
    public const int Alpha = 6;

    /// <summary>Transformed elements per tile.</summary>
    public const int Elements = Alpha * Alpha;

    /// <summary>The lane of tile e (0..7) of a group of 8 in the vector forms.</summary>
    public static int Lane(int e) => (e >> 1) + 4 * (e & 1);

    /// <summary>U = G·g·G^T for one 3x3 kernel g (row-major), times scale, written to u[ξ·stride], computed in double.</summary>
    public static void Kernel(ReadOnlySpan<float> g, double scale, float* u, long stride)
    {
        Span<double> t = stackalloc double[18];
        for (int c = 0; c < 3; c++)
            Column(g[c], g[3 + c], g[6 + c], t, c, 3);
        Span<double> r = stackalloc double[6];
        for (int i = 0; i < 6; i++)
        {
            Column(t[3 * i], t[3 * i + 1], t[3 * i + 2], r, 0, 1);
            for (int j = 0; j < 6; j++)
                u[(6 * i + j) * stride] = (float)(r[j] * scale);
        }
    }

    // G times (g0, g1, g2) into dst[offset + k·step], k = 0..5.
    private static void Column(double g0, double g1, double g2, Span<double> dst, int offset, int step)
    {
        dst[offset] = g0 / 4;
        dst[offset + step] = -(g0 + g1 + g2) / 6;
        dst[offset + 2 * step] = -(g0 - g1 + g2) / 6;
        dst[offset + 3 * step] = (g0 + 2 * g1 + 4 * g2) / 24;
        dst[offset + 4 * step] = (g0 - 2 * g1 + 4 * g2) / 24;
        dst[offset + 5 * step] = g2;
    }

    /// <summary>
    /// V = B^T·d·B for 8 tiles whose 6 input rows start at row[0..5] (pointers to the first tile's left column, 36
    /// floats readable each); tile e reads columns 4e..4e+5. Element ξ goes to v + ξ·vStride (8 floats).
    /// <paramref name="tmp"/> holds 36 vectors between the row and the column pass.
    /// </summary>
    public static void Input8(float* r0, long rowStride, float* v, long vStride, float* tmp)
    {
        for (int i = 0; i < Alpha; i++)
            Row(r0 + i * rowStride, tmp + i * Alpha * 8);
        for (int j = 0; j < Alpha; j++)
        {
            float* t = tmp + j * 8;
            BT(Avx.LoadVector256(t), Avx.LoadVector256(t + 48), Avx.LoadVector256(t + 96), Avx.LoadVector256(t + 144), Avx.LoadVector256(t + 192), Avx.LoadVector256(t + 240),
                out var w0, out var w1, out var w2, out var w3, out var w4, out var w5);
            float* d = v + j * vStride;
            Avx.Store(d, w0);
            Avx.Store(d + 6 * vStride, w1);
            Avx.Store(d + 12 * vStride, w2);
            Avx.Store(d + 18 * vStride, w3);
            Avx.Store(d + 24 * vStride, w4);
            Avx.Store(d + 30 * vStride, w5);
        }
    }

    // One input row of 8 tiles: columns 4e + 0..5 gathered across tiles by in-lane transposes, then B^T along it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* r, float* dst)
    {
        Transpose(Avx.LoadVector256(r), Avx.LoadVector256(r + 8), Avx.LoadVector256(r + 16), Avx.LoadVector256(r + 24),
            out var x0, out var x1, out var x2, out var x3);
        // Columns 4 and 5 of tile e are columns 0 and 1 of tile e + 1: the same transpose one tile further on.
        var a = Avx.LoadVector256(r + 4);
        var b = Avx.LoadVector256(r + 12);
        var c = Avx.LoadVector256(r + 20);
        var d = Avx.LoadVector256(r + 28);
        var lo = Avx.UnpackLow(a, b);
        var hi = Avx.UnpackLow(c, d);
        var x4 = Avx.Shuffle(lo, hi, 0b01_00_01_00);
        var x5 = Avx.Shuffle(lo, hi, 0b11_10_11_10);
        BT(x0, x1, x2, x3, x4, x5, out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
        Avx.Store(dst, v0);
        Avx.Store(dst + 8, v1);
        Avx.Store(dst + 16, v2);
        Avx.Store(dst + 24, v3);
        Avx.Store(dst + 32, v4);
        Avx.Store(dst + 40, v5);
    }

    // B^T times (x0..x5), sharing the sums of the ±1 and ±2 rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BT(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3, Vector256<float> x4, Vector256<float> x5,
        out Vector256<float> v0, out Vector256<float> v1, out Vector256<float> v2, out Vector256<float> v3, out Vector256<float> v4, out Vector256<float> v5)
    {
        var four = Vector256.Create(4f);
        var five = Vector256.Create(5f);
        var two = Vector256.Create(2f);
        v0 = Fma.MultiplyAdd(four, x0, Fma.MultiplyAddNegated(five, x2, x4));
        v5 = Fma.MultiplyAdd(four, x1, Fma.MultiplyAddNegated(five, x3, x5));
        var p = Fma.MultiplyAddNegated(four, x2, x4); // x4 - 4·x2
        var q = Fma.MultiplyAddNegated(four, x1, x3); // x3 - 4·x1
        v1 = Avx.Add(p, q);
        v2 = Avx.Subtract(p, q);
        var s = Avx.Subtract(x4, x2);
        var t = Avx.Multiply(two, Avx.Subtract(x3, x1));
        v3 = Avx.Add(s, t);
        v4 = Avx.Subtract(s, t);
    }

    // A 4x4 transpose inside each 128-bit half: half h of result k holds element k of half h of each input.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3)
    {
        var t0 = Avx.UnpackLow(a, b);
        var t1 = Avx.UnpackLow(c, d);
        var t2 = Avx.UnpackHigh(a, b);
        var t3 = Avx.UnpackHigh(c, d);
        o0 = Avx.Shuffle(t0, t1, 0b01_00_01_00);
        o1 = Avx.Shuffle(t0, t1, 0b11_10_11_10);
        o2 = Avx.Shuffle(t2, t3, 0b01_00_01_00);
        o3 = Avx.Shuffle(t2, t3, 0b11_10_11_10);
    }

    /// <summary>V = B^T·d·B of one 6x6 tile d (row-major) into v[ξ·vStride].</summary>
    public static void InputScalar(float* d, float* v, long vStride)
    {
        float* t = stackalloc float[Elements];
        for (int i = 0; i < Alpha; i++)
            BT(d + i * Alpha, 1, t + i * Alpha, 1);
        for (int j = 0; j < Alpha; j++)
            BT(t + j, Alpha, v + j * vStride, Alpha * vStride);
    }

    private static void BT(float* x, long xs, float* v, long vs)
    {
        float x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs];
        float p = x4 - 4 * x2, q = x3 - 4 * x1, s = x4 - x2, t = 2 * (x3 - x1);
        v[0] = 4 * x0 - 5 * x2 + x4;
        v[vs] = p + q;
        v[2 * vs] = p - q;
        v[3 * vs] = s + t;
        v[4 * vs] = s - t;
        v[5 * vs] = 4 * x1 - 5 * x3 + x5;
    }

    /// <summary>
    /// Y = A^T·m·A for 8 tiles, m element ξ at m + ξ·mStride, plus bias: output row k of the tiles goes to
    /// rows[8·(4k + j)] for column j (8 lanes each, tile order of the lanes). <paramref name="tmp"/> holds 24 vectors.
    /// </summary>
    public static void Output8(float* m, long mStride, Vector256<float> bias, float* rows, float* tmp)
    {
        for (int j = 0; j < Alpha; j++)
        {
            float* c = m + j * mStride;
            AT(Avx.LoadVector256(c), Avx.LoadVector256(c + 6 * mStride), Avx.LoadVector256(c + 12 * mStride),
                Avx.LoadVector256(c + 18 * mStride), Avx.LoadVector256(c + 24 * mStride), Avx.LoadVector256(c + 30 * mStride),
                out var s0, out var s1, out var s2, out var s3);
            Avx.Store(tmp + j * 8, s0);
            Avx.Store(tmp + 48 + j * 8, s1);
            Avx.Store(tmp + 96 + j * 8, s2);
            Avx.Store(tmp + 144 + j * 8, s3);
        }
        for (int k = 0; k < 4; k++)
        {
            float* s = tmp + k * 48;
            AT(Avx.LoadVector256(s), Avx.LoadVector256(s + 8), Avx.LoadVector256(s + 16), Avx.LoadVector256(s + 24),
                Avx.LoadVector256(s + 32), Avx.LoadVector256(s + 40), out var y0, out var y1, out var y2, out var y3);
            float* o = rows + k * 32;
            Avx.Store(o, Avx.Add(y0, bias));
            Avx.Store(o + 8, Avx.Add(y1, bias));
            Avx.Store(o + 16, Avx.Add(y2, bias));
            Avx.Store(o + 24, Avx.Add(y3, bias));
        }
    }

    /// <summary>
    /// Turns one output row of 8 tiles (4 column vectors in lane order, as <see cref="Output8"/> writes them) into 32
    /// consecutive output values: tile e's four columns at 4e..4e+3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Untangle(float* row, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3) =>
        Transpose(Avx.LoadVector256(row), Avx.LoadVector256(row + 8), Avx.LoadVector256(row + 16), Avx.LoadVector256(row + 24), out o0, out o1, out o2, out o3);

    // A^T times (m0..m5): the four outputs of one line of a tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AT(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3, Vector256<float> m4, Vector256<float> m5,
        out Vector256<float> y0, out Vector256<float> y1, out Vector256<float> y2, out Vector256<float> y3)
    {
        var a = Avx.Add(m1, m2);
        var b = Avx.Subtract(m1, m2);
        var c = Avx.Add(m3, m4);
        var d = Avx.Subtract(m3, m4);
        y0 = Avx.Add(Avx.Add(m0, a), c);
        y1 = Fma.MultiplyAdd(Vector256.Create(2f), d, b);
        y2 = Fma.MultiplyAdd(Vector256.Create(4f), c, a);
        y3 = Avx.Add(Fma.MultiplyAdd(Vector256.Create(8f), d, b), m5);
    }
}
