"""What a person wears, as a small colour histogram: the cue that tells two pieces of track apart.

The offline re-linking (``pose_worker/relinking.py``) asks whether two pieces of track show the same
person. Clothes persist through spins, jumps and occlusions where position and pose do not, so each
detection's box is described by two histograms, upper body and lower body (a top and a skirt
differ), each over the middle half of the box's width (less background):

- chromatic pixels (saturation and value high enough for a hue to mean something) in
  ``HUE_BINS`` x ``SAT_BINS`` bins of hue and saturation;
- the other pixels (black, white, grey clothes, shadows) in ``VALUE_BINS`` bins of brightness.

Each region is sampled on a ``SAMPLES`` x ``SAMPLES`` grid (nearest pixel), so a descriptor costs the
same for a 30 px dancer and a 1,000 px one. Descriptors are compared with the Bhattacharyya distance
(0: same distribution, 1: disjoint), averaged over the two regions.
"""
from __future__ import annotations

import cv2
import numpy as np

HUE_BINS = 12
SAT_BINS = 4
VALUE_BINS = 6
#: Below this saturation or value (0-255) a pixel's hue is noise: it counts by brightness instead.
MIN_SATURATION = 60
MIN_VALUE = 40
#: Rows of the box (fractions of its height) that make the upper and the lower region.
REGIONS = ((0.15, 0.5), (0.5, 0.9))
#: Columns of the box kept: the middle half, where the body is and the background is not.
MIDDLE = (0.25, 0.75)
SAMPLES = 16
REGION_BINS = HUE_BINS * SAT_BINS + VALUE_BINS
DESCRIPTOR_SIZE = len(REGIONS) * REGION_BINS


def describe(image: np.ndarray, box: tuple[float, float, float, float] | np.ndarray) -> np.ndarray | None:
    """The descriptor (``DESCRIPTOR_SIZE`` floats, each region summing to 1) of the person in ``box``
    (x1, y1, x2, y2, pixels) of the BGR ``image``; None when the box has no pixels inside the frame."""
    x1, y1, x2, y2 = (float(v) for v in box)
    width, height = x2 - x1, y2 - y1
    frame_h, frame_w = image.shape[:2]
    left = int(max(x1 + MIDDLE[0] * width, 0))
    right = int(min(x1 + MIDDLE[1] * width, frame_w))
    parts = []
    for top, bottom in REGIONS:
        upper = int(max(y1 + top * height, 0))
        lower = int(min(y1 + bottom * height, frame_h))
        if right - left < 2 or lower - upper < 2:
            return None
        crop = cv2.resize(image[upper:lower, left:right], (SAMPLES, SAMPLES), interpolation=cv2.INTER_NEAREST)
        parts.append(_histogram(cv2.cvtColor(crop, cv2.COLOR_BGR2HSV).reshape(-1, 3)))
    return np.concatenate(parts)


def _histogram(hsv: np.ndarray) -> np.ndarray:
    hue, saturation, value = (hsv[:, k].astype(np.int32) for k in range(3))
    chromatic = (saturation >= MIN_SATURATION) & (value >= MIN_VALUE)
    colour_bin = (hue * HUE_BINS // 180) * SAT_BINS + (saturation - MIN_SATURATION) * SAT_BINS // (256 - MIN_SATURATION)
    grey_bin = HUE_BINS * SAT_BINS + value * VALUE_BINS // 256
    counts = np.bincount(np.where(chromatic, colour_bin, grey_bin), minlength=REGION_BINS).astype(np.float64)
    return counts / counts.sum()


def appearance_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance of two descriptors (or means of descriptors), 0..1, averaged over regions."""
    a = np.asarray(a, float).reshape(len(REGIONS), REGION_BINS)
    b = np.asarray(b, float).reshape(len(REGIONS), REGION_BINS)
    overlap = np.sqrt(a * b).sum(axis=1) / np.sqrt(a.sum(axis=1) * b.sum(axis=1) + 1e-12)
    return float(np.mean(1 - overlap))
