namespace CondInst.Kernels.Model;

/// <summary>
/// Receives intermediate results by the names of the mmdetection fixture manifest (<c>input</c>, <c>fpn_p3</c>,
/// <c>head_cls_score_l0</c>, <c>mask_feat</c>, <c>det_masks</c>, ...), for stage dumps and stage-by-stage tests.
/// Costs nothing when no sink is given.
/// </summary>
public interface IStageSink
{
    /// <summary>A device tensor (the sink downloads what it keeps; the tensor is only valid during the call).</summary>
    void Tensor(string name, Tensor tensor);

    /// <summary>A host array.</summary>
    void Array(string name, NpyArray array);
}
