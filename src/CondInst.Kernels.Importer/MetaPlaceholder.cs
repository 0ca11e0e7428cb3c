namespace CondInst.Kernels.Importer;

/// <summary>
/// Stands in <see cref="Checkpoint.Meta"/> for a value the importer does not rebuild: a reference to a Python class
/// or function outside the allow-list (never called), an inert allow-listed object such as a numpy scalar, or a tensor
/// inside the metadata. Prints as its description, e.g. <c>torch.nn.modules.conv.Conv2d</c>.
/// </summary>
/// <param name="Description">The global's dotted name, or a short description of the object.</param>
public sealed record MetaPlaceholder(string Description)
{
    /// <summary>The description.</summary>
    public override string ToString() => Description;
}
