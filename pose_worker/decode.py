"""Turn the model's raw ``[56, anchors]`` output into people: filter, NMS, scale back."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pose_worker.letterbox import Letterbox, to_frame_coordinates

#: COCO-17 keypoint order, as the model emits them.
COCO17_KEYPOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
NUM_KEYPOINTS = len(COCO17_KEYPOINTS)
#: Ultralytics' caps: candidates entering NMS, detections leaving it.
MAX_NMS_CANDIDATES = 30000
MAX_DETECTIONS = 300


@dataclass(frozen=True)
class Person:
    """One detected person in frame pixels."""

    score: float
    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    keypoints: np.ndarray  # [17, 3]: x, y, visibility


def decode_people(output: np.ndarray, box: Letterbox, confidence: float, iou: float) -> list[Person]:
    """Decode one image's output ``[56, anchors]`` as Ultralytics' pose predictor does."""
    candidates = output[:, output[4] > confidence].T  # [n, 56]
    if candidates.shape[0] == 0:
        return []
    if candidates.shape[0] > MAX_NMS_CANDIDATES:
        candidates = candidates[np.argsort(-candidates[:, 4])[:MAX_NMS_CANDIDATES]]
    boxes = xywh_to_xyxy(candidates[:, :4])
    keep = non_max_suppression(boxes, candidates[:, 4], iou)[:MAX_DETECTIONS]
    boxes = to_frame_coordinates(boxes[keep].reshape(-1, 2, 2), box).reshape(-1, 4)
    keypoints = candidates[keep, 5:].reshape(-1, NUM_KEYPOINTS, 3).copy()
    keypoints[..., :2] = to_frame_coordinates(keypoints[..., :2], box)
    scores = candidates[keep, 4]
    return [
        Person(score=float(scores[i]), box=tuple(float(v) for v in boxes[i]), keypoints=keypoints[i])
        for i in range(len(keep))
    ]


def xywh_to_xyxy(xywh: np.ndarray) -> np.ndarray:
    half_w, half_h = xywh[:, 2] / 2, xywh[:, 3] / 2
    return np.stack([xywh[:, 0] - half_w, xywh[:, 1] - half_h, xywh[:, 0] + half_w, xywh[:, 1] + half_h], axis=1)


def non_max_suppression(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of the boxes kept by greedy NMS, highest score first (as torchvision.ops.nms)."""
    order = np.argsort(-scores, kind="stable")
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    kept: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        kept.append(int(best))
        x1 = np.maximum(boxes[best, 0], boxes[rest, 0])
        y1 = np.maximum(boxes[best, 1], boxes[rest, 1])
        x2 = np.minimum(boxes[best, 2], boxes[rest, 2])
        y2 = np.minimum(boxes[best, 3], boxes[rest, 3])
        overlap = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        iou = overlap / (areas[best] + areas[rest] - overlap + 1e-9)
        order = rest[iou <= iou_threshold]
    return np.asarray(kept, dtype=np.int64)
