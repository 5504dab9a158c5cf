"""The pose model with the letterbox in front of it and a candidate filter behind it, in one ONNX graph.

On a GPU the host, not the model, sets the pace: resizing, padding, converting and copying each
frame, and bringing back the model's whole output (56 x 5,040 anchors for a 640 x 384 input, 1.1 MB
a frame) cost the worker's threads more than the model costs the GPU. This graph takes the decoded
frames as they are (uint8, BGR, ``[N, H, W, 3]`` at the video's own size: a quarter of the float input's
bytes), letterboxes them on the device exactly as ``pose_worker/letterbox.py`` does on the host (bilinear
resize with half-pixel centres, rounded to whole grey levels like OpenCV's uint8 resize, grey padding,
BGR to RGB, 0..1), runs the model, and returns only the ``candidates`` anchors with the highest person
score (``[N, 56, candidates]``, sorted), which ``decode_people`` filters and suppresses as before.

A frame has more anchors above the 0.25 score threshold than ``candidates`` only when it shows far more
people than a dance does (each person lights 10-30 anchors); NMS would keep at most 300 detections anyway.
One graph per frame size (a video has one): the letterbox's sizes are constants the runtime can plan for.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from pose_worker.letterbox import MODEL_STRIDE, PAD_VALUE, Letterbox

#: Anchors kept per frame, by person score (see the module doc).
CANDIDATES = 1000
FRAMES_INPUT = "frames"
CANDIDATES_OUTPUT = "candidates"
#: The model's detection strides: one anchor per cell of each.
STRIDES = (8, 16, MODEL_STRIDE)


def anchors_of(box: Letterbox) -> int:
    return sum((box.input_width // stride) * (box.input_height // stride) for stride in STRIDES)


def fused_model(model: onnx.ModelProto, box: Letterbox, candidates: int = CANDIDATES) -> onnx.ModelProto:
    """``model`` (input ``[N, 3, H, W]`` float, output ``[N, 56, anchors]``) behind a letterbox for frames of
    ``box``'s frame size and in front of a top-``candidates`` filter."""
    model_input = model.graph.input[0].name
    model_output = model.graph.output[0].name
    keep = min(candidates, anchors_of(box))
    right = box.input_width - box.resized_width - box.pad_left
    bottom = box.input_height - box.resized_height - box.pad_top
    constants = [
        _constant("resize_sizes", np.array([0, 3, box.resized_height, box.resized_width], np.int64)),
        _constant("pads", np.array([0, 0, box.pad_top, box.pad_left, 0, 0, bottom, right], np.int64)),
        _constant("pad_value", np.array(PAD_VALUE[0], np.float32)),
        _constant("rgb", np.array([2, 1, 0], np.int64)),
        _constant("scale", np.array(255.0, np.float32)),
        _constant("score_row", np.array([4], np.int64)),
        _constant("keep", np.array([keep], np.int64)),
        _constant("one", np.array([1], np.int64)),
        _constant("rows", np.array([1, 56, 1], np.int64)),
    ]
    letterbox = [
        helper.make_node("Cast", [FRAMES_INPUT], ["frames_float"], to=TensorProto.FLOAT),
        helper.make_node("Transpose", ["frames_float"], ["frames_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Shape", ["frames_nchw"], ["frames_shape"]),
        helper.make_node("Slice", ["frames_shape", "zero_index", "one"], ["batch_size"]),
        helper.make_node("Slice", ["resize_sizes", "one", "four"], ["resized_chw"]),
        helper.make_node("Concat", ["batch_size", "resized_chw"], ["resized_shape"], axis=0),
        helper.make_node(
            "Resize", ["frames_nchw", "", "", "resized_shape"], ["resized"],
            mode="linear", coordinate_transformation_mode="half_pixel",
        ),
        helper.make_node("Round", ["resized"], ["resized_levels"]),  # OpenCV resizes uint8 to uint8
        helper.make_node("Pad", ["resized_levels", "pads", "pad_value"], ["padded"], mode="constant"),
        helper.make_node("Gather", ["padded", "rgb"], ["padded_rgb"], axis=1),
        helper.make_node("Div", ["padded_rgb", "scale"], [model_input]),
    ]
    constants += [_constant("zero_index", np.array([0], np.int64)), _constant("four", np.array([4], np.int64))]
    candidate_filter = [
        helper.make_node("Gather", [model_output, "score_row"], ["scores_3d"], axis=1),
        helper.make_node("Squeeze", ["scores_3d", "one"], ["scores"]),
        helper.make_node("TopK", ["scores", "keep"], ["top_scores", "top_anchors"], axis=-1, largest=1, sorted=1),
        helper.make_node("Unsqueeze", ["top_anchors", "one"], ["top_anchors_3d"]),
        helper.make_node("Tile", ["top_anchors_3d", "rows"], ["top_anchors_rows"]),
        helper.make_node("GatherElements", [model_output, "top_anchors_rows"], [CANDIDATES_OUTPUT], axis=2),
    ]
    graph = helper.make_graph(
        constants + letterbox + list(model.graph.node) + candidate_filter,
        "pose_with_letterbox_and_candidates",
        [helper.make_tensor_value_info(FRAMES_INPUT, TensorProto.UINT8, ["batch", box.frame_height, box.frame_width, 3])],
        [helper.make_tensor_value_info(CANDIDATES_OUTPUT, TensorProto.FLOAT, ["batch", 56, keep])],
        initializer=list(model.graph.initializer),
    )
    fused = helper.make_model(graph, opset_imports=list(model.opset_import), producer_name="dance-analysis")
    fused.ir_version = model.ir_version
    onnx.checker.check_model(fused)
    return fused


def _constant(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name))
