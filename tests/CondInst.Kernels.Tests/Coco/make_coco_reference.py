"""Expected numbers for the C# COCO code, from the real pycocotools (offline; tests never run Python).

    python3 make_coco_reference.py PYCOCOTOOLS_PYTHONAPI_DIR [--write-inputs]

--write-inputs (re)builds the hand-made cases under Data/<case>/ (gt.json, results*.json; deterministic).
Always: scores every Data/<case>/results*.json against its gt.json with COCOeval for bbox and segm and writes
Data/expected.json; checks that each results file loads with loadRes unchanged; writes Data/rle_reference.json
(mask.encode, frPyObjects, merge, area, toBbox and iou outputs). pycocotools is built from its source as
/work/shared/notes/pycocotools-offline.md says; nothing of it is committed.
"""
import base64
import contextlib
import copy
import io
import json
import os
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "Data")


def import_pycocotools(root):
    for name in ["matplotlib", "matplotlib.pyplot", "matplotlib.collections", "matplotlib.patches"]:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["matplotlib.collections"].PatchCollection = None
    sys.modules["matplotlib.patches"].Polygon = None
    np.float = float  # removed in numpy 1.24, still named by cocoeval.accumulate
    sys.path.insert(0, root)
    global COCO, COCOeval, mask
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    from pycocotools import mask


def rle_text(r):
    return {"size": [int(r["size"][0]), int(r["size"][1])], "counts": r["counts"].decode("ascii")}


def poly_rle(parts, h, w):
    return mask.merge(mask.frPyObjects(parts, h, w))


def box_poly(b):
    x1, y1, x2, y2 = b[0], b[1], b[0] + b[2], b[1] + b[3]
    return [x1, y1, x1, y2, x2, y2, x2, y1]


def random_poly(rng, cx, cy, rx, ry, n):
    a = np.sort(rng.uniform(0, 2 * np.pi, n))
    return [float(round(v, 2)) for t in a for v in (cx + rx * np.cos(t), cy + ry * np.sin(t))]


def gt_entry(ann_id, img, cat, parts, h, w, crowd=0, form="poly"):
    r = poly_rle(parts, h, w)
    e = {"id": ann_id, "image_id": img, "category_id": cat, "iscrowd": crowd,
         "area": float(mask.area(r)), "bbox": [float(v) for v in mask.toBbox(r)]}
    if form == "poly":
        e["segmentation"] = parts
    elif form == "rle":
        e["segmentation"] = rle_text(r)
    else:  # uncompressed counts, as COCO's crowd regions
        m = mask.decode(r)
        flat = m.flatten(order="F")
        counts, cur, run = [], 0, 0
        for v in flat:
            if v != cur:
                counts.append(run)
                run, cur = 0, v
            run += 1
        counts.append(run)
        e["segmentation"] = {"size": [h, w], "counts": counts}
    return e


def det_entry(img, cat, score, box, parts, h, w, with_box=True):
    e = {"image_id": img, "category_id": cat, "score": score,
         "segmentation": rle_text(poly_rle(parts, h, w))}
    if with_box:
        e["bbox"] = box
    return e


def jitter(rng, parts, scale):
    return [[float(round(v + rng.normal(0, scale), 2)) for v in p] for p in parts]


def bounds(parts):
    xs = [v for p in parts for v in p[0::2]]
    ys = [v for p in parts for v in p[1::2]]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def case_crowd():
    """Crowd region, an empty image, an image without annotations, a category without ground truth, one never
    detected (d), one with neither (e), ties in score, small/medium/large, polygon, RLE and uncompressed ground truth."""
    images = [{"id": 1, "file_name": "a.png", "width": 120, "height": 100},
              {"id": 2, "file_name": "b.png", "width": 80, "height": 80},
              {"id": 3, "file_name": "c.png", "width": 80, "height": 80},
              {"id": 7, "file_name": "d.png", "width": 160, "height": 120}]
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}, {"id": 5, "name": "d"}, {"id": 8, "name": "e"}]
    anns = [gt_entry(1, 1, 1, [box_poly([10, 10, 30, 30])], 100, 120),
            gt_entry(2, 1, 1, [box_poly([60, 20, 50, 60])], 100, 120, crowd=1, form="counts"),
            gt_entry(3, 1, 1, [box_poly([15, 50, 40, 45])], 100, 120, form="rle"),
            gt_entry(4, 7, 1, [box_poly([5, 5, 120, 100])], 120, 160),
            gt_entry(5, 1, 3, [[70.0, 5.0, 100.0, 5.0, 85.0, 18.0]], 100, 120),
            gt_entry(6, 7, 3, [[20.0, 20.0, 60.0, 22.0, 50.0, 70.0, 22.0, 60.0], [90.0, 80.0, 110.0, 80.0, 100.0, 100.0]], 120, 160),
            gt_entry(7, 7, 5, [box_poly([100, 10, 50, 50])], 120, 160)]
    d = []
    for score, b in [(0.9, [11, 10, 30, 29]), (0.9, [10, 11, 29, 30]), (0.8, [65, 25, 20, 20]), (0.7, [80, 40, 25, 30]),
                     (0.7, [62, 60, 40, 18]), (0.6, [20, 55, 40, 40]), (0.95, [0, 85, 12, 12]), (0.6, [50, 5, 60, 90])]:
        d.append(det_entry(1, 1, score, b, [box_poly(b)], 100, 120))
    d.append(det_entry(3, 1, 0.5, [5, 5, 20, 20], [box_poly([5, 5, 20, 20])], 80, 80))
    d.append(det_entry(3, 1, 0.4, [30, 30, 40, 40], [box_poly([30, 30, 40, 40])], 80, 80))
    d.append(det_entry(1, 2, 0.3, [10, 10, 30, 30], [box_poly([10, 10, 30, 30])], 100, 120))
    d.append(det_entry(7, 1, 0.55, [6, 4, 118, 102], [box_poly([6, 4, 118, 102])], 120, 160))
    d.append(det_entry(7, 3, 0.85, [20, 20, 40, 50], [[20.0, 20.0, 60.0, 22.0, 50.0, 70.0, 22.0, 60.0]], 120, 160))
    d.append(det_entry(7, 3, 0.45, [88, 78, 24, 24], [[90.0, 80.0, 110.0, 80.0, 100.0, 100.0]], 120, 160))
    d.append(det_entry(7, 9, 0.99, [0, 0, 10, 10], [box_poly([0, 0, 10, 10])], 120, 160))  # category not listed: left out
    return {"images": images, "annotations": anns, "categories": cats}, {"results.json": d}


def case_many(rng):
    """One image with 40 objects of every size and 160 detections (the 100 cap), scores tied in tenths."""
    h, w = 480, 640
    anns, d = [], []
    for i in range(40):
        size = [rng.uniform(6, 30), rng.uniform(35, 90), rng.uniform(100, 220)][i % 3]
        cx, cy = rng.uniform(size, w - size), rng.uniform(size, h - size)
        parts = [random_poly(rng, cx, cy, size / 2, size / 2 * rng.uniform(0.6, 1.2), int(rng.integers(5, 12)))]
        anns.append(gt_entry(i + 1, 42, 1 + i % 2, parts, h, w))
        for _ in range(int(rng.integers(2, 5))):
            jp = jitter(rng, parts, size * 0.08)
            d.append(det_entry(42, 1 + i % 2, float(round(rng.uniform(0.05, 1.0), 1)), [float(round(v, 2)) for v in bounds(jp)], jp, h, w))
    while len(d) < 160:
        size = rng.uniform(8, 120)
        cx, cy = rng.uniform(size, w - size), rng.uniform(size, h - size)
        parts = [random_poly(rng, cx, cy, size / 2, size / 2, 6)]
        d.append(det_entry(42, int(rng.integers(1, 3)), float(round(rng.uniform(0.05, 1.0), 1)), [float(round(v, 2)) for v in bounds(parts)], parts, h, w))
    order = rng.permutation(len(d))
    d = [d[i] for i in order]
    gt = {"images": [{"id": 42, "file_name": "many.png", "width": w, "height": h}], "annotations": anns,
          "categories": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}]}
    return gt, {"results.json": d}


def case_random(rng):
    """30 images, 4 categories; polygons (some in two parts), RLE and uncompressed ground truth, a few crowds,
    images without annotations; jittered and random detections. Also the same detections without boxes (pycocotools
    then takes area and box from the mask)."""
    images, anns, d = [], [], []
    for i in range(30):
        w, h = int(rng.integers(120, 400)), int(rng.integers(120, 400))
        images.append({"id": 100 + 3 * i, "file_name": f"r{i:02d}.png", "width": w, "height": h})
        for _ in range(int(rng.integers(0, 8)) if i % 7 else 0):
            size = float(rng.choice([rng.uniform(5, 30), rng.uniform(32, 96), rng.uniform(96, 180)]))
            size = min(size, min(w, h) - 4)
            cx, cy = rng.uniform(size / 2, w - size / 2), rng.uniform(size / 2, h - size / 2)
            parts = [random_poly(rng, cx, cy, size / 2, size / 2 * rng.uniform(0.5, 1.0), int(rng.integers(3, 10)))]
            if rng.uniform() < 0.15:
                parts.append(random_poly(rng, cx + size / 3, cy + size / 3, size / 5, size / 5, 5))
            form = ["poly", "poly", "rle", "counts"][int(rng.integers(0, 4))]
            crowd = int(rng.uniform() < 0.06)
            cat = int(rng.integers(1, 5))
            anns.append(gt_entry(len(anns) + 1, 100 + 3 * i, cat, parts, h, w, crowd=crowd, form="counts" if crowd else form))
            for _ in range(int(rng.integers(0, 3))):
                jp = jitter(rng, [p for p in parts], max(1.0, size * 0.1))
                c = cat if rng.uniform() < 0.9 else int(rng.integers(1, 5))
                d.append(det_entry(100 + 3 * i, c, float(round(rng.uniform(0.05, 1.0), 2)), [float(round(v, 2)) for v in bounds(jp)], jp, h, w))
        for _ in range(int(rng.integers(0, 4))):
            size = rng.uniform(6, 100)
            cx, cy = rng.uniform(size / 2, w - size / 2), rng.uniform(size / 2, h - size / 2)
            parts = [random_poly(rng, cx, cy, size / 2, size / 3, 6)]
            d.append(det_entry(100 + 3 * i, int(rng.integers(1, 5)), float(round(rng.uniform(0.05, 1.0), 2)), [float(round(v, 2)) for v in bounds(parts)], parts, h, w))
    cats = [{"id": k, "name": f"class_{k}"} for k in range(1, 5)]
    segm_only = [{k: v for k, v in e.items() if k != "bbox"} for e in d]
    return {"images": images, "annotations": anns, "categories": cats}, {"results.json": d, "results_segm_only.json": segm_only}


def write_inputs():
    rng = np.random.default_rng(11)
    for name, (gt, results) in [("crowd", case_crowd()), ("many", case_many(rng)), ("random", case_random(rng))]:
        os.makedirs(os.path.join(DATA, name), exist_ok=True)
        with open(os.path.join(DATA, name, "gt.json"), "w") as f:
            json.dump(gt, f)
        for file, entries in results.items():
            with open(os.path.join(DATA, name, file), "w") as f:
                json.dump(entries, f)


def evaluate(gt_path, results_path):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
    with open(results_path) as f:
        results = json.load(f)
    out = {}
    for kind in ["bbox", "segm"]:
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            dt = gt.loadRes(copy.deepcopy(results))  # fails if an image_id is not one of gt's ids
            ev = COCOeval(gt, dt, kind)
            ev.evaluate()
            ev.accumulate()
        summary = io.StringIO()
        with contextlib.redirect_stdout(summary):
            ev.summarize()
        p = ev.eval["precision"]
        per_class = []
        for k, cat in enumerate(ev.params.catIds):
            row = {"category_id": int(cat)}
            for key, sel in [("ap", slice(None)), ("ap50", [0]), ("ap75", [5])]:
                s = p[sel, :, k, 0, -1]
                row[key] = float(np.mean(s[s > -1])) if (s > -1).any() else -1.0
            per_class.append(row)
        out[kind] = {"stats": [float(v) for v in ev.stats], "per_class": per_class,
                     "summary": summary.getvalue().splitlines()}
    return out


def rle_reference():
    rng = np.random.default_rng(5)
    ref = {"encode": [], "polygons": [], "boxes": [], "uncompressed": [], "iou": []}
    shapes = [(1, 1), (3, 4), (7, 5), (30, 40), (64, 64), (300, 400)]
    for k, (h, w) in enumerate(shapes):
        for kind in ["zeros", "ones", "random", "blocks"]:
            if kind == "zeros":
                m = np.zeros((h, w), np.uint8)
            elif kind == "ones":
                m = np.ones((h, w), np.uint8)
            elif kind == "random" and h * w <= 4096:
                m = (rng.uniform(size=(h, w)) < 0.5).astype(np.uint8)
            else:
                m = np.zeros((h, w), np.uint8)
                m[h // 3: h // 2, w // 4] = 1
                m[h // 5: h - h // 4, w // 3: w - 1] = 1
                m[0: h // 7 + 1, 0: w // 6 + 1] = 1
            r = mask.encode(np.asfortranarray(m))
            ref["encode"].append({"height": h, "width": w, "bits": base64.b64encode(np.packbits(m.flatten())).decode("ascii"),
                                  "counts": r["counts"].decode("ascii"), "area": int(mask.area(r)),
                                  "bbox": [float(v) for v in mask.toBbox(r)]})
    polys = [([[10.0, 10.0, 40.0, 10.0, 40.0, 30.0, 10.0, 30.0]], 50, 60),
             ([[0.3, 0.7, 12.6, 1.2, 6.1, 9.9]], 12, 14),
             ([[-5.0, -5.0, 70.0, 10.0, 30.0, 80.0]], 50, 60),
             ([[5.5, 5.5, 25.25, 3.1, 44.0, 20.0, 25.0, 15.0, 12.0, 40.0]], 50, 60),
             ([[2.0, 2.0, 20.0, 2.0, 20.0, 20.0], [25.0, 25.0, 45.0, 25.0, 35.0, 45.0], [10.0, 10.0, 30.0, 12.0, 15.0, 35.0]], 50, 60),
             ([[3.0, 3.0, 3.0, 3.0, 18.0, 4.0, 9.0, 16.0]], 20, 20)]
    for i in range(6):
        h, w = int(rng.integers(20, 200)), int(rng.integers(20, 200))
        polys.append(([random_poly(rng, w / 2, h / 2, w / 2.5, h / 3, int(rng.integers(3, 30)))], h, w))
    for parts, h, w in polys:
        r = poly_rle(parts, h, w)
        ref["polygons"].append({"height": h, "width": w, "polygons": parts, "counts": r["counts"].decode("ascii"),
                                "area": int(mask.area(r)), "bbox": [float(v) for v in mask.toBbox(r)]})
    for b, h, w in [([10.0, 10.0, 20.0, 15.0], 50, 60), ([0.4, 0.6, 9.3, 7.7], 12, 14), ([-3.0, 5.0, 100.0, 3.0], 20, 30)]:
        r = mask.frPyObjects(np.array([b], dtype=np.double), h, w)[0]
        ref["boxes"].append({"height": h, "width": w, "bbox": b, "counts": r["counts"].decode("ascii")})
    for counts, h, w in [([3, 4, 5, 0, 2, 6], 4, 5), ([0, 20], 4, 5), ([20], 4, 5), ([1, 1, 1, 1, 16], 4, 5)]:
        r = mask.frPyObjects({"counts": counts, "size": [h, w]}, h, w)
        ref["uncompressed"].append({"height": h, "width": w, "counts": counts, "compressed": r["counts"].decode("ascii")})
    h, w = 60, 80
    dts = [poly_rle([random_poly(rng, rng.uniform(10, 70), rng.uniform(10, 50), 15, 12, 7)], h, w) for _ in range(6)]
    gts = [poly_rle([random_poly(rng, rng.uniform(10, 70), rng.uniform(10, 50), 15, 12, 7)], h, w) for _ in range(5)]
    crowd = [0, 1, 0, 0, 1]
    ious = mask.iou(dts, gts, crowd)
    ref["iou"].append({"height": h, "width": w, "dt": [r["counts"].decode("ascii") for r in dts],
                       "gt": [r["counts"].decode("ascii") for r in gts], "iscrowd": crowd,
                       "iou": [[float(v) for v in row] for row in ious]})
    bd = [[10.0, 10.0, 20.0, 20.0], [15.0, 12.0, 30.0, 8.0], [0.0, 0.0, 5.0, 5.0]]
    bg = [[12.0, 8.0, 18.0, 25.0], [14.0, 14.0, 10.0, 10.0]]
    ref["box_iou"] = {"dt": bd, "gt": bg, "iscrowd": [0, 1],
                      "iou": [[float(v) for v in row] for row in mask.iou(bd, bg, [0, 1])]}
    return ref


def main():
    import_pycocotools(sys.argv[1])
    if "--write-inputs" in sys.argv:
        write_inputs()
    expected = {}
    for case in sorted(os.listdir(DATA)):
        folder = os.path.join(DATA, case)
        if not os.path.isdir(folder):
            continue
        for file in sorted(os.listdir(folder)):
            if file.startswith("results") and file.endswith(".json"):
                expected[f"{case}/{file}"] = evaluate(os.path.join(folder, "gt.json"), os.path.join(folder, file))
    with open(os.path.join(DATA, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    with open(os.path.join(DATA, "rle_reference.json"), "w") as f:
        json.dump(rle_reference(), f)


if __name__ == "__main__":
    main()
