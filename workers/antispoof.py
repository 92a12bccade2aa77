"""Passive anti-spoofing: the Silent-Face MiniFASNet pair, run with onnxruntime on the main face.

Each model looks at its own crop of the frame around the face box (2.7x and 4.0x the box, as
the models were trained), resized to 80x80, BGR, 0-255; the two softmax outputs are averaged
and class 1 is "real". A printed photo or a face replayed on a screen comes out near 0, a live
face near 1 (docs/ACCURACY.md has the measurements).

The models ship in `workers/models/` (Apache-2.0, see its README). They are loaded lazily, once
per process (an onnxruntime session may be shared by threads; a forked child loads its own),
never at import. Before loading, each graph's PRelu activations are rewritten as
`relu(x) + slope * (x - relu(x))`: the same numbers (tests compare both), but onnxruntime runs
its PRelu through a slow broadcasting path that cost more than half of each model's time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from workers.decode import Image, as_image
from workers.lazy import PerProcess

MODEL_DIR = Path(__file__).resolve().parent / "models"
# (file, crop scale): the crop scale is part of each model's training, not a tunable.
MODELS = (("2.7_80x80_MiniFASNetV2.onnx", 2.7), ("4_0_0_80x80_MiniFASNetV1SE.onnx", 4.0))
INPUT_SIZE = 80
REAL_CLASS = 1

Box = tuple[float, float, float, float]  # x, y, w, h in pixels


class ModelMissing(RuntimeError):
    """A model file is not where the product expects it (see the `liveness.E030` check)."""


@dataclass(frozen=True)
class _Model:
    session: Any
    input_name: str
    scale: float


def model_paths() -> list[Path]:
    return [MODEL_DIR / name for name, _ in MODELS]


def missing_models() -> list[Path]:
    return [path for path in model_paths() if not path.is_file()]


def live_probability(rgb: Image, box: Box) -> float:
    """Probability (0..1) that the face in `box` of this RGB frame is a live one."""
    total = 0.0
    for model in _models():
        # Cropped and resized first, then turned BGR (the models' order): flipping the 80x80
        # crop's channels costs a hundredth of flipping the frame's.
        crop = face_crop(rgb, box, model.scale)[..., ::-1]
        tensor = crop.astype(np.float32).transpose(2, 0, 1)[None]
        (logits,) = model.session.run(None, {model.input_name: tensor})
        total += _softmax(logits[0])[REAL_CLASS]
    return total / len(MODELS)


def face_crop(image: Image, box: Box, scale: float) -> Image:
    """The models' input crop: the box scaled about its centre by `scale` (less when the frame
    is too small for it), shifted to stay inside the frame, resized to 80x80 (Silent-Face's
    `CropImage`, which the models were trained with)."""
    height, width = image.shape[:2]
    x, y, w, h = box
    w, h = max(w, 1.0), max(h, 1.0)
    scale = min((height - 1) / h, (width - 1) / w, scale)
    new_w, new_h = w * scale, h * scale
    cx, cy = x + w / 2, y + h / 2
    left, top, right, bottom = cx - new_w / 2, cy - new_h / 2, cx + new_w / 2, cy + new_h / 2
    if left < 0:
        right, left = right - left, 0.0
    if top < 0:
        bottom, top = bottom - top, 0.0
    if right > width - 1:
        left, right = left - (right - width + 1), width - 1.0
    if bottom > height - 1:
        top, bottom = top - (bottom - height + 1), height - 1.0
    patch = image[int(max(top, 0)) : int(bottom) + 1, int(max(left, 0)) : int(right) + 1]
    return as_image(cv2.resize(patch, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_LINEAR))


def warm_up() -> None:
    """Load this process's models now (e.g. in a Celery worker_process_init hook)."""
    _models()


def _load_pair() -> list[_Model]:
    return [_load(MODEL_DIR / name, scale) for name, scale in MODELS]


# The onnxruntime sessions are shared by the process's threads.
_pair: PerProcess[list[_Model]] = PerProcess(_load_pair)


def _models() -> list[_Model]:
    return _pair.get()


def _load(path: Path, scale: float) -> _Model:
    import onnxruntime as ort  # heavy: imported on first use only

    if not path.is_file():
        raise ModelMissing(f"anti-spoofing model missing: {path}")
    options = ort.SessionOptions()
    # One frame at a time per worker thread: the server's parallelism is its workers.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        without_prelu(path.read_bytes()), options, providers=["CPUExecutionProvider"]
    )
    return _Model(session, session.get_inputs()[0].name, scale)


def without_prelu(model: bytes) -> bytes:
    """The ONNX graph with each PRelu(x, slope) as Relu(x) + slope * (x - Relu(x))."""
    import onnx
    from onnx import helper

    graph = onnx.load_from_string(model)
    nodes = []
    for node in graph.graph.node:
        if node.op_type != "PRelu":
            nodes.append(node)
            continue
        x, slope = node.input
        (out,) = node.output
        stem = f"{node.name or out}/prelu"
        nodes += [
            helper.make_node("Relu", [x], [f"{stem}/pos"]),
            helper.make_node("Sub", [x, f"{stem}/pos"], [f"{stem}/neg"]),
            helper.make_node("Mul", [f"{stem}/neg", slope], [f"{stem}/scaled"]),
            helper.make_node("Add", [f"{stem}/pos", f"{stem}/scaled"], [out]),
        ]
    del graph.graph.node[:]
    graph.graph.node.extend(nodes)
    return bytes(graph.SerializeToString())


def _softmax(logits: npt.NDArray[np.float32]) -> list[float]:
    values = [float(v) for v in logits]
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]
