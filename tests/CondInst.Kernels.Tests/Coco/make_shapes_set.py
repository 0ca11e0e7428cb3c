"""Makes the shapes evaluation set: synthetic images of circles, squares and triangles (like the shipped demo
model's training data) and their COCO annotation file, deterministically (numpy only).

    python3 make_shapes_set.py IMAGES_DIR Data/shapes/gt.json

The images are not committed (this script remakes them bit for bit); the annotation file is. The model's
results on them (Data/shapes/results.json) come from
    condinst infer --weights weights/shapes/shapes.pth --images IMAGES_DIR --out OUT --ann Data/shapes/gt.json
and make_coco_reference.py scores them with pycocotools.
"""
import json
import math
import struct
import sys
import zlib

import numpy as np

CLASSES = ["circle", "square", "triangle"]
COUNT = 16


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def polygon(kind, cx, cy, r, angle):
    if kind == "circle":
        n = 48
        return [(cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n)) for i in range(n)]
    n = 4 if kind == "square" else 3
    return [(cx + r * math.cos(angle + 2 * math.pi * i / n), cy + r * math.sin(angle + 2 * math.pi * i / n)) for i in range(n)]


def inside(poly, h, w):
    """Pixel centres inside the polygon (even-odd rule)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    mask = np.zeros((h, w), bool)
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        if y1 == y2:
            continue
        cross = ((y1 <= ys) & (ys < y2)) | ((y2 <= ys) & (ys < y1))
        xint = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
        mask ^= cross & (xs < xint)
    return mask


def shoelace(poly):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]))) / 2


def main(images_dir, gt_path):
    rng = np.random.default_rng(20261207)
    images, annotations = [], []
    for i in range(COUNT):
        w, h = int(rng.integers(200, 340)), int(rng.integers(200, 340))
        ys, xs = np.mgrid[0:h, 0:w]
        base = rng.uniform(40, 220, 3)
        tilt = rng.uniform(-0.4, 0.4, (2, 3))
        img = base + xs[..., None] * tilt[0] + ys[..., None] * tilt[1] + 6 * np.sin(xs / 3.0)[..., None]
        boxes = []
        for _ in range(int(rng.integers(1, 6))):
            for _try in range(20):
                kind = CLASSES[int(rng.integers(0, 3))]
                r = float(rng.uniform(10, 60))
                cx, cy = float(rng.uniform(r, w - r)), float(rng.uniform(r, h - r))
                if all(abs(cx - bx) > r + br + 2 or abs(cy - by) > r + br + 2 for bx, by, br in boxes):
                    break
            else:
                continue
            boxes.append((cx, cy, r))
            poly = polygon(kind, cx, cy, r, float(rng.uniform(0, math.pi)))
            img[inside(poly, h, w)] = rng.uniform(0, 255, 3)
            px, py = [p[0] for p in poly], [p[1] for p in poly]
            annotations.append({
                "id": len(annotations) + 1, "image_id": 1000 + i, "category_id": CLASSES.index(kind) + 1,
                "bbox": [min(px), min(py), max(px) - min(px), max(py) - min(py)], "area": shoelace(poly),
                "iscrowd": 0, "segmentation": [[round(v, 2) for p in poly for v in p]],
            })
        name = f"shapes_{i:02d}.png"
        write_png(f"{images_dir}/{name}", np.clip(img, 0, 255).astype(np.uint8))
        images.append({"id": 1000 + i, "file_name": name, "width": w, "height": h})
    cats = [{"id": k + 1, "name": n} for k, n in enumerate(CLASSES)]
    with open(gt_path, "w") as f:
        json.dump({"images": images, "annotations": annotations, "categories": cats}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
