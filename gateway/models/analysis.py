"""``results/{job_id}/analysis.json`` (the dance analysis) and the summary a job's result carries.

Not an answer of any endpoint: the document is downloaded from ``result.analysis_url``. Its schema
is published in the OpenAPI document as ``Analysis``. ``choreo/report.py`` writes it; a test
validates real documents against these models, so the two cannot drift apart.
"""
from __future__ import annotations

from pydantic import ConfigDict, Field, create_model

from choreo.angles import JOINT_PAIRS, JOINTS
from gateway.models.base import ResponseBody

Seconds = float
Score = float


class DocumentBody(ResponseBody):
    model_config = ConfigDict(extra="forbid")


class VideoInfo(DocumentBody):
    """The video, as in poses.json."""

    width: int
    height: int
    fps: float
    frames: int
    duration_s: float


class TempoFigures(DocumentBody):
    """Tempo of the movement (all dancers together) and of the music."""

    motion_bpm: float | None = Field(
        description="The music's tempo at the movement's level when the movement follows the beat (motion_source "
        "'beat'); otherwise the peak of the keypoints' velocity spectrum, 60-180 BPM; null under 3 s"
    )
    motion_confidence: Score | None = Field(ge=0, le=1, description="Share of rhythmic movement at that tempo, 0..1")
    motion_source: str = Field(description="'beat': locked to the music's beat clock; 'movement': the movement alone")
    cycles_per_beat: float | None = Field(description="Movement cycles per music beat (0.5, 1, 2) when motion_source is 'beat'")
    music_bpm: float | None = Field(description="From the audio's beats; null without audio or without a beat")
    music_confidence: Score | None = Field(
        ge=0, le=1, description="Pulse clarity: the audio onset envelope's autocorrelation at one beat period, 0..1"
    )


class Music(DocumentBody):
    has_audio: bool = Field(description="Whether the video has an audio track; false is normal, not an error")
    beats: list[Seconds] | None = Field(description="Music beat times (librosa.beat.beat_track); null without audio")
    clear_beat: bool | None = Field(
        default=None, description="The beat is clear enough to time a dance against (music_confidence >= 0.2); "
        "null without a music tempo"
    )
    tracker_bpm: float | None = Field(
        default=None, description="The beat tracker's own tempo. It differs from tempo.music_bpm where the dancers "
        "follow the music read at 3/2 or 2/3 of it (a second level the music pulses at), which then gives music_bpm "
        "and beats; null without a music tempo"
    )


class BeatOffset(DocumentBody):
    t: Seconds = Field(description="The music beat")
    offset_ms: float | None = Field(description="Nearest kinematic beat minus the music beat; negative: early")


class OnBeat(DocumentBody):
    """How much the movement follows the music's beat (locking to the beat clock), and how its hits are timed."""

    locked: bool = Field(description="Locking at least 1.645 spreads above chance (one-sided 5 %)")
    cycles_per_beat: float = Field(description="The level where the locking is strongest: 0.5, 1 or 2")
    locking: Score | None = Field(ge=0, le=1, description="Share of the movement repeating with the beat clock")
    chance: Score | None = Field(ge=0, le=1, description="The same against clocks 5-15 % off the music's tempo")
    chance_sd: float | None = Field(ge=0)
    z: float | None = Field(description="(locking - chance) / chance_sd")
    score_above_chance: float | None = Field(description="(locking - chance) / (1 - chance); 0 is chance, 1 fully locked")
    hits: int = Field(ge=0, description="Single-limb stops timed on the beat clock")
    vector_strength: Score | None = Field(ge=0, le=1, description="Mean resultant length of the hits' beat phases")
    rayleigh_p: Score | None = Field(ge=0, le=1, description="Rayleigh test: the hits' clustering by chance")
    mean_asynchrony_ms: float | None = Field(description="Circular mean of the hits' offsets from the beat; negative: early")
    asynchrony_sd_ms: float | None = Field(ge=0, description="Circular standard deviation of those offsets")


class BeatAlignment(DocumentBody):
    """How well movement stops land on music beats (Beat Align Score, sigma 50 ms), both published ways."""

    score: Score = Field(ge=0, le=1, description="Harmonic mean of music_to_motion and motion_to_music")
    music_to_motion: Score = Field(ge=0, le=1, description="Bailando: mean over music beats")
    motion_to_music: Score = Field(ge=0, le=1, description="AIST++/FACT: mean over kinematic beats")
    chance: Score = Field(ge=0, le=1, description="The score of randomly time-shifted kinematic beats")
    score_above_chance: float = Field(description="(score - chance) / (1 - chance); 0 is chance, 1 perfect")
    mean_offset_ms: float | None = Field(description="Mean signed offset; negative: the dancer is early")
    median_offset_ms: float | None
    per_beat: list[BeatOffset]


class Energy(DocumentBody):
    """Mean squared joint speed, (torso lengths per second) squared."""

    mean: float | None
    peak: float | None = Field(description="The highest 1-second window")
    start_s: Seconds = Field(description="Start of the first window")
    window_s: Seconds
    series: list[float | None] = Field(description="One value per window; null where the dancer was not measured")


class AngleRange(DocumentBody):
    min: float | None
    max: float | None
    p5: float | None
    p95: float | None


JointAngles = create_model(
    "JointAngles",
    __base__=DocumentBody,
    __doc__="2-D joint angles in degrees, one per entry of the dancer's ``t``; null where a keypoint is missing.",
    **{name: (list[float | None], ...) for name in JOINTS},
)
RangeOfMotion = create_model(
    "RangeOfMotion", __base__=DocumentBody, __doc__="Per joint angle, degrees.",
    **{name: (AngleRange, ...) for name in JOINTS},
)
Symmetry = create_model(
    "Symmetry", __base__=DocumentBody, __doc__="Mean |left - right| angle per joint pair, degrees.",
    **{left.removeprefix("left_"): (float | None, ...) for left, _ in JOINT_PAIRS},
)


class Dancer(DocumentBody):
    """A person well seen for at least 1 s and a tenth of the video (or 10 s)."""

    track_id: int
    first_t: Seconds
    last_t: Seconds
    motion_bpm: float | None
    motion_confidence: Score | None = Field(ge=0, le=1)
    motion_source: str
    cycles_per_beat: float | None
    on_beat: OnBeat | None = Field(description="This dancer alone; null without music beats")
    kinematic_beats: list[Seconds] = Field(description="Minima of the smoothed movement-speed envelope")
    energy: Energy
    t: list[Seconds] = Field(description="Frame times the joint angles refer to")
    joint_angles: JointAngles  # type: ignore[valid-type]
    range_of_motion: RangeOfMotion  # type: ignore[valid-type]
    symmetry: Symmetry  # type: ignore[valid-type]
    beat_alignment: BeatAlignment | None = Field(description="This dancer alone; null without audio")


class SynchronyPair(DocumentBody):
    track_ids: list[int] = Field(min_length=2, max_length=2)
    score: Score = Field(ge=0, le=1, description="Peak normalised cross-correlation of the speed envelopes")
    lag_s: Seconds = Field(ge=0)
    leader_track_id: int | None = Field(description="Who moves first; null at lag 0")
    pose_similarity: Score | None = Field(ge=0, le=1, description="Mean COCO OKS of their torso-normalised poses")


class GroupSynchrony(DocumentBody):
    R: Score = Field(ge=0, le=1, description="Kuramoto order parameter, mean over time")
    chance: Score = Field(ge=0, le=1, description="1/sqrt(N): independent dancers")


class Synchrony(DocumentBody):
    """Present when two or more dancers share at least 2 s of screen time."""

    pairs: list[SynchronyPair]
    group: GroupSynchrony | None = Field(description="Null without a tempo")


class Analysis(DocumentBody):
    """results/{job_id}/analysis.json: tempo, music beats, beat alignment, per-dancer measures, synchrony."""

    version: int
    job_id: str
    video: VideoInfo
    definitions: dict[str, str] = Field(description="How each measure is computed, in a sentence or two")
    tempo: TempoFigures
    music: Music
    kinematic_beats: list[Seconds] = Field(description="Of all dancers' mean speed envelope")
    on_beat: OnBeat | None = Field(description="All dancers' movement together; null without music beats")
    beat_alignment: BeatAlignment | None = Field(
        description="The papers' Beat Align Score, kept as a secondary figure; null without audio or beats"
    )
    dancers: list[Dancer]
    synchrony: Synchrony | None


class BeatAlignmentSummary(ResponseBody):
    score: Score | None = Field(ge=0, le=1)
    mean_offset_ms: float | None = Field(description="Negative: the dancers move before the beat")


class OnBeatSummary(ResponseBody):
    locked: bool = Field(description="The dancers' movement follows the beat (one-sided 5 %)")
    locking: Score | None = Field(ge=0, le=1)
    chance: Score | None = Field(
        default=None, ge=0, le=1, description="The same movement's locking to beats 5-15 % off the music's tempo"
    )
    score_above_chance: float | None = Field(description="0 is chance, 1 fully locked to the beat")
    mean_asynchrony_ms: float | None = Field(description="Hits' mean offset from the beat; negative: early")


class SynchronySummary(ResponseBody):
    R: Score | None = Field(ge=0, le=1, description="Kuramoto order parameter of the group")


class AnalysisSummary(ResponseBody):
    """The headline figures of analysis.json."""

    motion_bpm: float | None
    music_bpm: float | None
    on_beat: OnBeatSummary | None = Field(default=None, description="Null without music beats")
    clear_beat: bool | None = Field(default=None, description="As music.clear_beat")
    tracker_bpm: float | None = Field(
        default=None, description="As music.tracker_bpm: the beat tracker's own tempo, music_bpm unless the dancers "
        "follow the music read at 3/2 or 2/3 of it"
    )
    beat_alignment: BeatAlignmentSummary | None
    dancers: int = Field(ge=0)
    synchrony: SynchronySummary | None
