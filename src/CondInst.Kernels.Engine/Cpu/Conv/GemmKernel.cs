using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CondInst.Kernels;

/// <summary>What a micro-kernel store does besides writing its tile.</summary>
[Flags]
internal enum TileStore
{
    /// <summary>C = acc (first pass over K).</summary>
    Overwrite = 0,

    /// <summary>C += acc (a later pass over K).</summary>
    Accumulate = 1,

    /// <summary>Last pass over K: C = C + bias[row] + residual, the fused epilogue.</summary>
    Finish = 2,

    /// <summary>With <see cref="Finish"/>: then max(·, 0).</summary>
    Relu = 4,
}

/// <summary>
/// The packed-GEMM micro-kernel: a 6x16 tile of C = A·B held in twelve 8-lane accumulators.
/// Layouts: A panel a[k·6 + r] (6 rows of A interleaved per k), B panel b[k·16 + j] (16 columns per k),
/// C row-major with row stride ldc. Edge tiles (fewer than 6 rows or 16 columns) go through a 6x16 buffer and
/// <see cref="StoreEdge"/>, so the kernel itself never branches on sizes and the JIT keeps all twelve
/// accumulators in registers.
/// </summary>
internal static unsafe class GemmKernel
{
    /// <summary>Rows of the register tile (output channels).</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile (output pixels): two 8-lane vectors.</summary>
    public const int NR = 16;

    /// <summary>
    /// C[0..6, 0..16] (=|+=) A·B over <paramref name="kc"/> steps, then the epilogue named by <paramref name="mode"/>:
    /// bias[r] per row and, when not null, residual rows with the same ldc as C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16(int kc, float* a, float* b, float* c, nint ldc, TileStore mode, float* bias, float* residual)
    {
        // The tile is read only after the k loop; ask for its lines now so that the loads do not stall on L3.
        if ((mode & TileStore.Accumulate) != 0) PrefetchTile(c, ldc);
        if (residual != null) PrefetchTile(residual, ldc);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int k = 0; k < kc; k++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = MulAdd(a0, b0, c00);
            c01 = MulAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = MulAdd(a1, b0, c10);
            c11 = MulAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = MulAdd(a2, b0, c20);
            c21 = MulAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = MulAdd(a3, b0, c30);
            c31 = MulAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = MulAdd(a4, b0, c40);
            c41 = MulAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = MulAdd(a5, b0, c50);
            c51 = MulAdd(a5, b1, c51);
            a += MR;
            b += NR;
        }
        StoreRow(c, c00, c01, mode, bias[0], residual);
        StoreRow(c + ldc, c10, c11, mode, bias[1], residual == null ? null : residual + ldc);
        StoreRow(c + 2 * ldc, c20, c21, mode, bias[2], residual == null ? null : residual + 2 * ldc);
        StoreRow(c + 3 * ldc, c30, c31, mode, bias[3], residual == null ? null : residual + 3 * ldc);
        StoreRow(c + 4 * ldc, c40, c41, mode, bias[4], residual == null ? null : residual + 4 * ldc);
        StoreRow(c + 5 * ldc, c50, c51, mode, bias[5], residual == null ? null : residual + 5 * ldc);
    }

    /// <summary>
    /// Whether the callers pair up row panels for <see cref="Kernel12x16"/> (AVX-512 hosts only). Internal and
    /// settable so that tests and benchmarks can force the AVX2 path; both give the same bits.
    /// </summary>
    internal static bool UseAvx512
    {
        get => s_useAvx512;
        set => s_useAvx512 = value && Avx512F.IsSupported;
    }

    private static bool s_useAvx512 = Avx512F.IsSupported;

    /// <summary>
    /// Two row panels at once with AVX-512: C[0..12, 0..16] from A panels <paramref name="a"/> (rows 0..6) and
    /// <paramref name="a2"/> (rows 6..12) and one B panel, in twelve 16-lane accumulators (one per row), so that each
    /// k step loads the B row once for twelve FMAs. Every element sees the same FMAs in the same order and the same
    /// epilogue as <see cref="Kernel6x16"/> on each panel, so the results are bit for bit those of the AVX2 kernel.
    /// Rows 6..12 of C (and of the residual) start 6·ldc after row 0; <paramref name="bias2"/> is the second panel's.
    /// Callers check <see cref="UseAvx512"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel12x16(int kc, float* a, float* a2, float* b, float* c, nint ldc, TileStore mode, float* bias, float* bias2, float* residual)
    {
        // Unlike the 6x16 kernel, also on a first pass: twelve rows stored at once otherwise wait on twelve misses.
        PrefetchTile(c, ldc);
        PrefetchTile(c + MR * ldc, ldc);
        if (residual != null)
        {
            PrefetchTile(residual, ldc);
            PrefetchTile(residual + MR * ldc, ldc);
        }
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        int k = 0;
        for (; k + 1 < kc; k += 2)
        {
            var bv = Vector512.Load(b);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[0]), bv, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[1]), bv, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[2]), bv, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[3]), bv, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[4]), bv, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[5]), bv, c11);
            var bw = Vector512.Load(b + NR);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), bw, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), bw, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), bw, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), bw, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), bw, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), bw, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[6]), bw, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[7]), bw, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[8]), bw, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[9]), bw, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[10]), bw, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[11]), bw, c11);
            a += 2 * MR;
            a2 += 2 * MR;
            b += 2 * NR;
        }
        for (; k < kc; k++)
        {
            var bv = Vector512.Load(b);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), bv, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), bv, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), bv, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), bv, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), bv, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), bv, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[0]), bv, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[1]), bv, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[2]), bv, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[3]), bv, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[4]), bv, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[5]), bv, c11);
            a += MR;
            a2 += MR;
            b += NR;
        }
        float* r = residual;
        StoreRow(c, c0, mode, bias[0], r);
        StoreRow(c + ldc, c1, mode, bias[1], r == null ? null : r + ldc);
        StoreRow(c + 2 * ldc, c2, mode, bias[2], r == null ? null : r + 2 * ldc);
        StoreRow(c + 3 * ldc, c3, mode, bias[3], r == null ? null : r + 3 * ldc);
        StoreRow(c + 4 * ldc, c4, mode, bias[4], r == null ? null : r + 4 * ldc);
        StoreRow(c + 5 * ldc, c5, mode, bias[5], r == null ? null : r + 5 * ldc);
        c += MR * ldc;
        r = r == null ? null : r + MR * ldc;
        StoreRow(c, c6, mode, bias2[0], r);
        StoreRow(c + ldc, c7, mode, bias2[1], r == null ? null : r + ldc);
        StoreRow(c + 2 * ldc, c8, mode, bias2[2], r == null ? null : r + 2 * ldc);
        StoreRow(c + 3 * ldc, c9, mode, bias2[3], r == null ? null : r + 3 * ldc);
        StoreRow(c + 4 * ldc, c10, mode, bias2[4], r == null ? null : r + 4 * ldc);
        StoreRow(c + 5 * ldc, c11, mode, bias2[5], r == null ? null : r + 5 * ldc);
    }

    // One 16-column row of the AVX-512 tile: the lane-wise arithmetic of the 8-lane StoreRow below, in one vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v, TileStore mode, float bias, float* residual)
    {
        if ((mode & TileStore.Accumulate) != 0) v += Vector512.Load(c);
        if ((mode & TileStore.Finish) != 0)
        {
            v += Vector512.Create(bias);
            if (residual != null) v += Vector512.Load(residual);
            if ((mode & TileStore.Relu) != 0) v = Vector512.Max(v, Vector512<float>.Zero);
        }
        v.Store(c);
    }

    private static void PrefetchTile(float* c, nint ldc)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < MR; r++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + NR - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> v0, Vector256<float> v1, TileStore mode, float bias, float* residual)
    {
        if ((mode & TileStore.Accumulate) != 0)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + 8);
        }
        if ((mode & TileStore.Finish) != 0)
        {
            var bv = Vector256.Create(bias);
            v0 += bv;
            v1 += bv;
            if (residual != null)
            {
                v0 += Vector256.Load(residual);
                v1 += Vector256.Load(residual + 8);
            }
            if ((mode & TileStore.Relu) != 0)
            {
                v0 = Vector256.Max(v0, Vector256<float>.Zero);
                v1 = Vector256.Max(v1, Vector256<float>.Zero);
            }
        }
        v0.Store(c);
        v1.Store(c + 8);
    }

    /// <summary>
    /// Writes the top-left rows x cols of a 6x16 tile buffer (row stride 16, as <see cref="Kernel6x16"/> wrote it
    /// with mode Overwrite) into C with the same epilogue rules as the kernel.
    /// </summary>
    public static void StoreEdge(float* tile, int rows, int cols, float* c, nint ldc, TileStore mode, float* bias, float* residual)
    {
        if (cols == NR)
        {
            // Only rows are missing (the last panel of output channels): whole rows as vectors, same arithmetic.
            for (int r = 0; r < rows; r++)
                StoreRow(c + r * ldc, Vector256.Load(tile + r * NR), Vector256.Load(tile + r * NR + 8), mode, bias[r], residual == null ? null : residual + r * ldc);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + r * ldc;
            float* rr = residual == null ? null : residual + r * ldc;
            for (int j = 0; j < cols; j++)
            {
                float v = tile[r * NR + j];
                if ((mode & TileStore.Accumulate) != 0) v += cr[j];
                if ((mode & TileStore.Finish) != 0)
                {
                    v += bias[r];
                    if (rr != null) v += rr[j];
                    if ((mode & TileStore.Relu) != 0) v = MathF.Max(v, 0f);
                }
                cr[j] = v;
            }
        }
    }
}
