"""Sound in: the uploaded video's first audio track as mono float samples, or None when it has none.

Decoded by the ffmpeg binary that ``imageio-ffmpeg`` ships (the one the overlay uses), resampled
to the rate the music analysis expects. A video without an audio track is normal (phone clips
with the sound removed, screen recordings): None, not an error.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from choreo.music import SAMPLE_RATE

#: ffmpeg's message when an optional ``-map`` matched nothing.
NO_AUDIO_MESSAGE = "does not contain any stream"


class AudioDecodeError(RuntimeError):
    """The video has an audio track ffmpeg could not decode."""


def read_audio(video: Path, sample_rate: int = SAMPLE_RATE, max_duration_s: float | None = None) -> np.ndarray | None:
    """Mono float32 samples at ``sample_rate`` of the first audio track, at most ``max_duration_s`` long."""
    import imageio_ffmpeg

    limit = ["-t", f"{max_duration_s:.3f}"] if max_duration_s else []
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-i", str(video), *limit, "-map", "0:a:0?", "-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-",
    ]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        if NO_AUDIO_MESSAGE in message:
            return None
        raise AudioDecodeError(f"ffmpeg could not read the audio track: {message[-300:]}")
    if not done.stdout:
        return None
    return np.frombuffer(done.stdout, dtype="<f4")
