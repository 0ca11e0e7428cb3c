using System.Globalization;
using System.Text;

namespace CondInst.Kernels.Tests.Harness;

/// <summary>How closely a backend must match the reference.</summary>
/// <param name="Rtol">Allowed error relative to each reference element.</param>
/// <param name="AtolOfMax">Allowed error relative to the largest reference magnitude of the tensor (for sums that cancel).</param>
public readonly record struct Tolerance(double Rtol, double AtolOfMax)
{
    /// <summary>Bit-for-bit equality (integer outputs, copies, exact index math).</summary>
    public static readonly Tolerance Exact = new(0, 0);

    /// <summary>Same formula and summation order as the reference: 1e-5.</summary>
    public static readonly Tolerance SameOrder = new(1e-5, 1e-6);

    /// <summary>Different summation order (GEMM blocking, reductions): 1e-4.</summary>
    public static readonly Tolerance Reordered = new(1e-4, 1e-5);
}

/// <summary>
/// The generic operation harness (as ncnn's test_layer and ggml's test-backend-ops): one operation case runs on
/// the scalar reference and on the backend under test with the same inputs; every output is compared element by
/// element, and a failure names the backend, the case's configuration and the worst elements.
/// </summary>
public static class OpHarness
{
    /// <summary>
    /// Runs <paramref name="run"/> (which uploads its inputs to the given backend, runs the operation and returns the
    /// output tensors) on the reference and on backend <paramref name="backendId"/>, and compares the outputs.
    /// </summary>
    public static void Check(string backendId, string config, Func<OpScope, Tensor[]> run, Tolerance tol)
    {
        var expected = Collect(TestBackends.Reference, run);
        TestBackends.With(backendId, backend =>
        {
            long before = backend.Memory.BytesInUse;
            var actual = Collect(backend, run);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                string? problem = Compare(expected[o], actual[o], tol);
                if (problem != null)
                    Assert.Fail($"[{backendId}] {config}: output {o} differs from the reference: {problem}");
            }
            // Everything the case made is freed by now; anything still in use leaked inside the backend.
            long leaked = backend.Memory.BytesInUse - before;
            if (leaked != 0) Assert.Fail($"[{backendId}] {config}: {leaked} bytes still in use after the case (leaked tensor)");
        });
    }

    /// <summary>Host copies of an output: float32 as float, integers and bytes widened to double for comparison.</summary>
    public sealed record Output(DType DType, int[] Shape, double[] Values);

    private static Output[] Collect(IBackend backend, Func<OpScope, Tensor[]> run)
    {
        using var scope = new OpScope(backend);
        var outs = run(scope);
        return outs.Select(t => Download(backend, t)).ToArray();
    }

    /// <summary>Downloads any tensor as doubles.</summary>
    public static Output Download(IBackend backend, Tensor t)
    {
        double[] values;
        switch (t.DType)
        {
            case DType.Float32: { var a = new float[t.Length]; backend.Download<float>(t, a); values = a.Select(v => (double)v).ToArray(); break; }
            case DType.Int32: { var a = new int[t.Length]; backend.Download<int>(t, a); values = a.Select(v => (double)v).ToArray(); break; }
            default: { var a = new byte[t.Length]; backend.Download<byte>(t, a); values = a.Select(v => (double)v).ToArray(); break; }
        }
        return new Output(t.DType, t.Shape.ToArray(), values);
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/> within <paramref name="tol"/>; otherwise a description.</summary>
    public static string? Compare(Output expected, Output actual, Tolerance tol)
    {
        if (expected.DType != actual.DType || !expected.Shape.SequenceEqual(actual.Shape))
            return $"expected {expected.DType}{Tensor.Format(expected.Shape)}, found {actual.DType}{Tensor.Format(actual.Shape)}";
        double max = 0;
        foreach (double v in expected.Values) if (double.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        var bad = new List<(int Index, double Err)>();
        for (int i = 0; i < expected.Values.Length; i++)
        {
            double e = expected.Values[i], a = actual.Values[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) || double.IsInfinity(a))
            {
                if (e != a) bad.Add((i, double.PositiveInfinity));
                continue;
            }
            double err = Math.Abs(a - e);
            if (!(err <= tol.Rtol * Math.Abs(e) + tol.AtolOfMax * max)) bad.Add((i, err));
        }
        if (bad.Count == 0) return null;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{bad.Count} of {expected.Values.Length} elements out of tolerance (rtol {tol.Rtol}, atol {tol.AtolOfMax}·max|ref| = {tol.AtolOfMax * max:g4}); worst: ");
        foreach (var (i, err) in bad.OrderByDescending(b => b.Err).Take(5))
            sb.Append(CultureInfo.InvariantCulture, $"[{Index(expected.Shape, i)}] ref {expected.Values[i]:g9} got {actual.Values[i]:g9} (err {err:g3}); ");
        return sb.ToString();
    }

    private static string Index(int[] shape, int flat)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 0) break;
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return string.Join(",", idx);
    }
}
