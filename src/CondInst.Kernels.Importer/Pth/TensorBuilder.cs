using CondInst.Kernels.Importer.IO;
using CondInst.Kernels.Importer.Pickle;

namespace CondInst.Kernels.Importer.Pth;

/// <summary>Where a storage's bytes lie in the file.</summary>
internal readonly record struct StorageBytes(long Offset, long Length, string Record);

/// <summary>
/// Turns a pickled tensor (a strided view of a storage) into a contiguous <see cref="CheckpointTensor"/>:
/// a zero-copy view of the memory map when the strides are C-contiguous, a copy otherwise. Every bound is
/// checked: the storage must hold the bytes its id claims, and the view must fit the storage.
/// </summary>
internal static class TensorBuilder
{
    public static CheckpointTensor Build(ByteSource src, string name, PickledTensor t, Func<StorageRef, StorageBytes> locate, TensorBudget budget)
    {
        var storage = t.Storage;
        var bytes = locate(storage);
        int storageElem = storage.DType.Size();
        if (storage.Numel > bytes.Length / storageElem)
            throw new ImporterException($"{src.Name}: storage record {bytes.Record} has {bytes.Length} bytes but its id declares {storage.Numel} {storage.DType.TorchName()} elements ({storage.Numel * storageElem} bytes) (tensor '{name}')");
        long storageBytes = storage.Numel * storageElem;
        int elem = t.DType.Size();
        long numel = 1;
        long need = 1; // elements of the storage the view reaches: offset + sum((size-1)*stride) + 1
        bool empty = false;
        try
        {
            need = t.Offset;
            for (int i = 0; i < t.Size.Length; i++)
            {
                numel = checked(numel * t.Size[i]);
                if (t.Size[i] == 0) empty = true;
                else need = checked(need + (t.Size[i] - 1) * t.Stride[i]);
            }
            need = empty ? 0 : checked(need + 1);
            _ = checked(need * elem);
            _ = checked(numel * elem);
        }
        catch (OverflowException)
        {
            throw new ImporterException($"{src.Name}: tensor '{name}': shape {Shape(t.Size)} with strides {Shape(t.Stride)} and offset {t.Offset} overflows 64-bit sizes");
        }
        if (need * elem > storageBytes)
            throw new ImporterException($"{src.Name}: tensor '{name}': shape {Shape(t.Size)} strides {Shape(t.Stride)} offset {t.Offset} needs {need} {t.DType.TorchName()} elements ({need * elem} bytes) of storage {bytes.Record}, which holds {storageBytes} bytes");
        if (numel * elem > int.MaxValue)
            throw new ImporterException($"{src.Name}: tensor '{name}' of {numel * elem} bytes; the importer handles tensors up to 2 GiB");
        budget.Take(name, numel * elem);
        var shape = Array.ConvertAll(t.Size, d => (int)d);
        if (numel == 0) return new CheckpointTensor(name, t.DType, shape, ReadOnlyMemory<byte>.Empty);
        long start = bytes.Offset + t.Offset * elem;
        if (IsContiguous(t.Size, t.Stride))
            return new CheckpointTensor(name, t.DType, shape, src.Memory(start, (int)(numel * elem), $"tensor '{name}'"));
        long reach = need * elem - t.Offset * elem;
        if (reach > int.MaxValue)
            throw new ImporterException($"{src.Name}: tensor '{name}': strided view spans {reach} bytes of its storage; the importer handles views up to 2 GiB");
        var span = src.Span(start, (int)reach, $"tensor '{name}'");
        return new CheckpointTensor(name, t.DType, shape, Gather(span, t.Size, t.Stride, elem, (int)numel));
    }

    private static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            if (size[i] != 1 && stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    // Layout: src element at sum(index[d] * stride[d]) (relative to the view's offset); dst in C order.
    private static byte[] Gather(ReadOnlySpan<byte> src, long[] size, long[] stride, int elem, int numel)
    {
        var dst = new byte[(long)numel * elem];
        int dims = size.Length;
        var index = new long[dims];
        long inner = size[dims - 1], innerStride = stride[dims - 1];
        long srcBase = 0;
        for (long written = 0; written < numel; written += inner)
        {
            var d = dst.AsSpan((int)(written * elem), (int)(inner * elem));
            if (innerStride == 1)
            {
                src.Slice((int)(srcBase * elem), d.Length).CopyTo(d);
            }
            else
            {
                for (long j = 0; j < inner; j++)
                    src.Slice((int)((srcBase + j * innerStride) * elem), elem).CopyTo(d[(int)(j * elem)..]);
            }
            // Advance the outer indices like an odometer.
            for (int k = dims - 2; k >= 0; k--)
            {
                index[k]++;
                srcBase += stride[k];
                if (index[k] < size[k]) break;
                srcBase -= index[k] * stride[k];
                index[k] = 0;
            }
        }
        return dst;
    }

    private static string Shape(long[] v) => "[" + string.Join(", ", v) + "]";
}
