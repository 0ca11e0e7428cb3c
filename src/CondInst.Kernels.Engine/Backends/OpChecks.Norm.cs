namespace CondInst.Kernels;

public static partial class OpChecks
{
    /// <summary>Checks a per-channel normalisation call (GroupNorm, ChannelAffine).</summary>
    public static void PerChannel(string op, IBackend b, Tensor x, Tensor p0, Tensor p1, Tensor y)
    {
        Nchw(op, "x", x);
        OnBackend(op, b, x, p0, p1, y);
        RequireShape(op, "y", y, DType.Float32, x.Shape.ToArray());
        RequireShape(op, "per-channel parameter", p0, DType.Float32, x.Dim(1));
        RequireShape(op, "per-channel parameter", p1, DType.Float32, x.Dim(1));
    }

    /// <summary>Checks a GroupNorm call (per-channel shapes, and channels divisible into the groups).</summary>
    public static void GroupNorm(IBackend b, Tensor x, Tensor gamma, Tensor beta, int groups, Tensor y)
    {
        const string op = "group_norm";
        PerChannel(op, b, x, gamma, beta, y);
        int c = x.Dim(1);
        if (groups <= 0 || c % groups != 0) throw new ArgumentException($"{op}: {c} channels not divisible into {groups} groups");
    }
}
