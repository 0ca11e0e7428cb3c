namespace CondInst.Kernels.Model;

/// <summary>
/// The 80 COCO object classes in mmdetection's order (<c>CocoDataset.METAINFO['classes']</c>, the order of the
/// model's contiguous labels 0..79) and their COCO category ids (1..90 with ten gaps: 12, 26, 29, 30, 45, 66,
/// 68, 69, 71, 83), which <c>CocoMetric</c> writes as <c>cat_ids[label]</c>.
/// </summary>
public static class CocoCategories
{
    /// <summary>Class names, index = label.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
        "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
        "teddy bear", "hair drier", "toothbrush",
    ];

    /// <summary>COCO category ids, index = label.</summary>
    public static IReadOnlyList<int> Ids { get; } =
    [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33,
        34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
        62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
    ];

    /// <summary>Number of COCO classes.</summary>
    public const int Count = 80;

    /// <summary>
    /// The category id written to results: the COCO id of <paramref name="label"/> for an 80-class model,
    /// <paramref name="label"/> + 1 for any other class count (a custom dataset numbered from 1).
    /// </summary>
    public static int CategoryId(int label, int numClasses)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"class count must be positive, got {numClasses}");
        if (label < 0 || label >= numClasses)
            throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{numClasses - 1}");
        return numClasses == Count ? Ids[label] : label + 1;
    }

    /// <summary>The class name of <paramref name="label"/> for an 80-class model, else "class_&lt;label&gt;".</summary>
    public static string Name(int label, int numClasses)
    {
        CategoryId(label, numClasses);
        return numClasses == Count ? Names[label] : $"class_{label}";
    }
}
