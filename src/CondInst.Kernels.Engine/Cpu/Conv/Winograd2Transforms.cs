using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>
/// Winograd F(2x2, 3x3) transforms (Lavin and Gray): a 2x2 output tile is A^T·[(G·g·G^T) ⊙ (B^T·d·B)]·A for a 4x4
/// input tile d and a 3x3 kernel g, with B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]],
/// G = [[1,0,0],[½,½,½],[½,-½,½],[0,0,1]] and A^T = [[1,1,1,0],[0,1,-1,-1]]. Element ξ = 4i + j of a transformed
/// tile is one of 16 independent GEMMs. The vector forms work on 8 horizontally adjacent tiles at once.
/// </summary>
internal static unsafe class Winograd2Transforms
{
    /// <summary>U = G·g·G^T for one 3x3 kernel g (row-major), written to u[ξ·stride], computed in double.</summary>
    public static void Kernel(ReadOnlySpan<float> g, float scale, float* u, long stride)
    {
        Span<double> t = stackalloc double[12];
        for (int c = 0; c < 3; c++)
        {
            double g0 = g[c], g1 = g[3 + c], g2 = g[6 + c];
            t[c] = g0;
            t[3 + c] = (g0 + g1 + g2) / 2;
            t[6 + c] = (g0 - g1 + g2) / 2;
            t[9 + c] = g2;
        }
        for (int i = 0; i < 4; i++)
        {
            double a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
            u[(4 * i) * stride] = (float)(a * scale);
            u[(4 * i + 1) * stride] = (float)((a + b + c) / 2 * scale);
            u[(4 * i + 2) * stride] = (float)((a - b + c) / 2 * scale);
            u[(4 * i + 3) * stride] = (float)(c * scale);
        }
    }

    /// <summary>
    /// V = B^T·d·B for 8 tiles whose 4 input rows start at r0..r3 (row pointers to the first tile's left column);
    /// tile e reads columns 2e..2e+3. Element ξ goes to v + ξ·vStride (8 floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input8(float* r0, float* r1, float* r2, float* r3, float* v, long vStride)
    {
        Row(r0, out var a0, out var a1, out var a2, out var a3);
        Row(r1, out var b0, out var b1, out var b2, out var b3);
        Row(r2, out var c0, out var c1, out var c2, out var c3);
        Row(r3, out var d0, out var d1, out var d2, out var d3);
        Col(a0, b0, c0, d0, v, vStride);
        Col(a1, b1, c1, d1, v + vStride, vStride);
        Col(a2, b2, c2, d2, v + 2 * vStride, vStride);
        Col(a3, b3, c3, d3, v + 3 * vStride, vStride);
    }

    // Row transform of 8 tiles: columns x[2e], x[2e+1], x[2e+2], x[2e+3] -> (x0-x2, x1+x2, x2-x1, x1-x3).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(float* r, out Vector256<float> t0, out Vector256<float> t1, out Vector256<float> t2, out Vector256<float> t3)
    {
        var v0 = Avx.LoadVector256(r);
        var v1 = Avx.LoadVector256(r + 8);
        var w0 = Avx.LoadVector256(r + 2);
        var w1 = Avx.LoadVector256(r + 10);
        var x0 = Even(v0, v1);
        var x1 = Odd(v0, v1);
        var x2 = Even(w0, w1);
        var x3 = Odd(w0, w1);
        t0 = Avx.Subtract(x0, x2);
        t1 = Avx.Add(x1, x2);
        t2 = Avx.Subtract(x2, x1);
        t3 = Avx.Subtract(x1, x3);
    }

    // Column transform: element (i, j) for i = 0..3 from the row results of column j; ξ = 4i + j.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Col(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, float* v, long vStride)
    {
        Avx.Store(v, Avx.Subtract(a, c));
        Avx.Store(v + 4 * vStride, Avx.Add(b, c));
        Avx.Store(v + 8 * vStride, Avx.Subtract(c, b));
        Avx.Store(v + 12 * vStride, Avx.Subtract(b, d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Even(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Odd(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>
    /// Y = A^T·m·A for 8 tiles, m element ξ at m + ξ·mStride; returns the four outputs (row, column) of each tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output8(float* m, long mStride, out Vector256<float> y00, out Vector256<float> y01, out Vector256<float> y10, out Vector256<float> y11)
    {
        var s00 = Avx.Add(Avx.Add(Avx.LoadVector256(m), Avx.LoadVector256(m + 4 * mStride)), Avx.LoadVector256(m + 8 * mStride));
        var s01 = Avx.Add(Avx.Add(Avx.LoadVector256(m + mStride), Avx.LoadVector256(m + 5 * mStride)), Avx.LoadVector256(m + 9 * mStride));
        var s02 = Avx.Add(Avx.Add(Avx.LoadVector256(m + 2 * mStride), Avx.LoadVector256(m + 6 * mStride)), Avx.LoadVector256(m + 10 * mStride));
        var s03 = Avx.Add(Avx.Add(Avx.LoadVector256(m + 3 * mStride), Avx.LoadVector256(m + 7 * mStride)), Avx.LoadVector256(m + 11 * mStride));
        var s10 = Avx.Subtract(Avx.Subtract(Avx.LoadVector256(m + 4 * mStride), Avx.LoadVector256(m + 8 * mStride)), Avx.LoadVector256(m + 12 * mStride));
        var s11 = Avx.Subtract(Avx.Subtract(Avx.LoadVector256(m + 5 * mStride), Avx.LoadVector256(m + 9 * mStride)), Avx.LoadVector256(m + 13 * mStride));
        var s12 = Avx.Subtract(Avx.Subtract(Avx.LoadVector256(m + 6 * mStride), Avx.LoadVector256(m + 10 * mStride)), Avx.LoadVector256(m + 14 * mStride));
        var s13 = Avx.Subtract(Avx.Subtract(Avx.LoadVector256(m + 7 * mStride), Avx.LoadVector256(m + 11 * mStride)), Avx.LoadVector256(m + 15 * mStride));
        y00 = Avx.Add(Avx.Add(s00, s01), s02);
        y01 = Avx.Subtract(Avx.Subtract(s01, s02), s03);
        y10 = Avx.Add(Avx.Add(s10, s11), s12);
        y11 = Avx.Subtract(Avx.Subtract(s11, s12), s13);
    }
}
