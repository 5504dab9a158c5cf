"""The inference backends on real frames: OpenVINO gives ONNX Runtime's keypoints, and DANCE_SPEED picks them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from infra.errors import ModelUnavailable
from infra.settings import Settings
from pose_worker.backends import load_backend
from pose_worker.decode import Person
from pose_worker.letterbox import letterbox_frame, plan_letterbox
from pose_worker.model import BUNDLED_MODEL, PoseModel
from pose_worker.video import VideoReader
from tests.clips import load_photo, make_clip

#: The exact mode's promise: keypoints within a pixel of ONNX Runtime's fp32 output.
EXACT_TOLERANCE_PX = 1.0
#: The fast mode's: the same people, keypoints a few pixels off on average.
FAST_MEAN_TOLERANCE_PX = 3.0


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    """Frames of a clip of both photos (720p, zooming), a phone-shaped one, and the photos as they are."""
    folder = tmp_path_factory.mktemp("frames")
    images = []
    for name, size in (("landscape", (1280, 720)), ("portrait", (720, 1280))):
        with VideoReader(make_clip(folder / f"{name}.mp4", seconds=1.0, fps=4.0, size=size)) as video:
            images += [frame.image for frame in video]
    return images + [load_photo("zidane.jpg"), load_photo("bus.jpg")]


@pytest.fixture(scope="module")
def exact() -> PoseModel:
    return PoseModel.load(Settings(speed="exact"))


def people(model: PoseModel, image: np.ndarray) -> list[Person]:
    return model.predict(image, model.plan(image.shape[1], image.shape[0]))


def paired(reference: list[Person], other: list[Person]) -> list[tuple[Person, Person]]:
    """Each reference person with the other's person whose box is nearest."""
    def distance(a: Person, b: Person) -> float:
        return float(np.abs(np.subtract(a.box, b.box)).max())

    return [(person, min(other, key=lambda candidate: distance(person, candidate))) for person in reference]


def test_openvino_keypoints_are_within_a_pixel_of_onnxruntime(exact, frames):
    openvino = PoseModel.load(Settings(speed="exact", inference_backend="openvino"))
    for image in frames:
        expected, got = people(exact, image), people(openvino, image)
        assert len(got) == len(expected) > 0
        for a, b in paired(expected, got):
            assert np.abs(a.keypoints[:, :2] - b.keypoints[:, :2]).max() <= EXACT_TOLERANCE_PX
            assert np.abs(np.subtract(a.box, b.box)).max() <= EXACT_TOLERANCE_PX


def test_fast_mode_finds_the_same_people_with_keypoints_a_few_pixels_off(exact, frames):
    fast = PoseModel.load(Settings(speed="fast"))
    errors = []
    for image in frames:
        expected, got = people(exact, image), people(fast, image)
        assert len(got) == len(expected)
        for a, b in paired(expected, got):
            confident = (a.keypoints[:, 2] > 0.5) & (b.keypoints[:, 2] > 0.5)
            errors.extend(np.hypot(*(a.keypoints[confident, :2] - b.keypoints[confident, :2]).T))
    assert errors and float(np.mean(errors)) <= FAST_MEAN_TOLERANCE_PX


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
def test_a_batch_gives_each_frame_its_own_output(backend, frames):
    settings = Settings(inference_backend=backend)
    inference = load_backend(BUNDLED_MODEL, settings)
    box = plan_letterbox(1280, 720, settings.inference_size)
    tensors = [letterbox_frame(image, box) for image in frames[:3]]
    batch = inference.infer(np.concatenate(tensors))
    assert batch.shape == (3, 56, inference.infer(tensors[0]).shape[2])
    for tensor, output in zip(tensors, batch):
        np.testing.assert_allclose(output, inference.infer(tensor)[0], atol=1e-2)


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
def test_a_file_that_is_no_model_raises_model_unavailable(backend, tmp_path: Path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable):
        model = PoseModel.load(Settings(inference_backend=backend, model_path=broken))
        model.predict(load_photo("bus.jpg"), model.plan(810, 1080))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({}, ("onnxruntime", 640, "fp32"), id="exact-by-default"),
        pytest.param({"DANCE_SPEED": "fast"}, ("openvino", 640, "bf16"), id="fast"),
        pytest.param({"DANCE_SPEED": "fast", "DANCE_INFERENCE_SIZE": "512"}, ("openvino", 512, "bf16"), id="fast-own-size"),
        pytest.param(
            {"DANCE_SPEED": "fast", "DANCE_INFERENCE_BACKEND": "onnxruntime"}, ("onnxruntime", 640, "fp32"), id="fast-own-backend"
        ),
        pytest.param({"DANCE_INFERENCE_BACKEND": "openvino"}, ("openvino", 640, "fp32"), id="exact-on-openvino"),
        pytest.param({"DANCE_SPEED": "fast", "DANCE_INFERENCE_PRECISION": "fp32"}, ("openvino", 640, "fp32"), id="fast-own-precision"),
        pytest.param(
            {"DANCE_SPEED": "fast", "DANCE_EXECUTION_PROVIDERS": "CUDAExecutionProvider,CPUExecutionProvider"},
            ("onnxruntime", 640, "fp32"),
            id="fast-on-a-gpu-stays-on-onnxruntime",
        ),
    ],
)
def test_speed_picks_the_inference_settings_that_are_not_given(monkeypatch, given, expected):
    for name in ("DANCE_SPEED", "DANCE_INFERENCE_BACKEND", "DANCE_INFERENCE_SIZE", "DANCE_INFERENCE_PRECISION", "DANCE_EXECUTION_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.inference_backend, settings.inference_size, settings.inference_precision) == expected


def test_a_setting_given_with_its_default_value_still_overrides_the_preset():
    settings = Settings(speed="fast", inference_size=640, inference_precision="fp32")
    assert (settings.inference_backend, settings.inference_size, settings.inference_precision) == ("openvino", 640, "fp32")


def test_openvino_runs_jobs_in_several_threads_at_once(frames):
    from concurrent.futures import ThreadPoolExecutor

    model = PoseModel.load(Settings(inference_backend="openvino"))
    box = model.plan(1280, 720)
    tensors = [letterbox_frame(image, box) for image in frames[:4]]
    alone = [model.infer(tensor) for tensor in tensors]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(model.infer, tensors * 3))
    for i, output in enumerate(together):
        np.testing.assert_allclose(output, alone[i % 4], atol=1e-3)
