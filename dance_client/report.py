"""What the command says: ``name: value`` lines on stdout for scripts to read, notes on stderr,
and the job's and the comparison's results in words."""
from __future__ import annotations

import sys
from dataclasses import dataclass

from dance_client.api import Record


@dataclass(frozen=True)
class Console:
    """Fields on stdout, flushed at once (a script reads the job id while the upload runs), and
    notes on stderr that start with the program's name."""

    prog: str

    def field(self, name: str, value: object) -> None:
        """One ``name: value`` line on stdout."""
        print(f"{name}: {value}", flush=True)

    def note(self, text: str) -> None:
        """One line on stderr: ``prog: text``."""
        print(f"{self.prog}: {text}", file=sys.stderr, flush=True)


def print_result(job: Record) -> None:
    """The final status, the result URLs and the dance summary, one ``name: value`` line each, on stdout."""
    print(f"status: {job['status']}")
    result = job.get("result") or {}
    for name in ("poses_url", "overlay_url", "analysis_url"):
        if result.get(name):
            print(f"{name}: {result[name]}")
    for name, value in summary_lines(result.get("summary")):
        print(f"{name}: {value}")
    for warning in job.get("warnings") or ():
        print(f"warning: {warning}")


def summary_lines(summary: Record | None) -> list[tuple[str, str]]:
    """The dance analysis' headline figures in words: tempo, whether the movement follows the beat (and
    its hits' timing), the papers' nearest-beat score beside it, synchrony."""
    if not summary:
        return []
    motion, music = summary.get("motion_bpm"), summary.get("music_bpm")
    tempo = f"{motion:.1f} BPM (movement)" if motion is not None else "no steady movement tempo"
    faint = summary.get("clear_beat") is False
    tracker = summary.get("tracker_bpm")
    if faint:
        said = ", a faint beat"
    elif music is not None and tracker is not None and round(tracker, 1) != round(music, 1):
        said = f", the beat the dancers follow; the beat tracker heard {tracker:.1f}"
    else:
        said = ""
    tempo += f", {music:.1f} BPM (music{said})" if music is not None else ", no music beat"
    lines = [("tempo", tempo), ("dancers", str(summary.get("dancers", 0)))]
    on_beat = summary.get("on_beat")
    if on_beat and on_beat.get("locking") is not None:
        lines.append(("on_beat", _on_beat_words(on_beat, faint)))
    alignment = summary.get("beat_alignment")
    if alignment and alignment.get("score") is not None:
        offset = alignment.get("mean_offset_ms")
        timing = "" if offset is None else f", {_early_or_late(offset)}"
        lines.append(("beat_align_score", f"{alignment['score']:.2f} of 1 (nearest music beat, sigma 50 ms{timing})"))
    synchrony = summary.get("synchrony")
    if synchrony and synchrony.get("R") is not None:
        lines.append(("synchrony", f"R = {synchrony['R']:.2f} (1: all in phase)"))
    return lines


def _on_beat_words(on_beat: Record, faint_beat: bool) -> str:
    """Whether the movement follows the beat, against chance; the hits' timing only where it does (elsewhere an
    average offset from a beat the movement does not keep means nothing). Movement not measured to follow a faint
    beat may follow one the tracker cannot hear: it says so."""
    chance = on_beat.get("chance")
    figures = f"locking {on_beat['locking']:.2f}" + (f", chance {chance:.2f}" if chance is not None else "")
    if not on_beat.get("locked"):
        return f"can't tell: the music's beat is faint ({figures})" if faint_beat else f"not measurably ({figures})"
    offset = on_beat.get("mean_asynchrony_ms")
    timing = "" if offset is None else f", hits {_early_or_late(offset)}"
    return f"follows the beat ({figures}){timing}"


def _early_or_late(offset_ms: float) -> str:
    return f"{abs(offset_ms):.0f} ms {'early' if offset_ms < 0 else 'late'} on average"


def print_comparison(comparison: Record) -> None:
    """Score, offset, tempo and the worst segments in words, one ``name: value`` line each."""
    result = comparison["result"]
    offset = result["offset_s"]
    when = "at the same time as" if abs(offset) < 0.05 else f"{abs(offset):.2f} s {'later' if offset > 0 else 'earlier'} than"
    print(f"compare_score: {result['score']:.1f} of 100")
    print(f"compare_offset: starts {when} the reference")
    print(f"compare_tempo: {result['tempo_ratio']:.2f}x the reference's duration")
    if result["mirrored"]:
        print("compare_mirrored: compared as a mirror image")
    for segment in result["worst_segments"]:
        # The feedback names the joint that differs most; the body part is the one that matches least.
        advice = f": {segment['feedback']}" if segment.get("feedback") else ""
        if segment.get("body_part"):
            advice += f" ({segment['body_part']} matches least)"
        score = "no pose" if segment["score"] is None else f"{segment['score']:.0f}/100"
        eight = f" (eight {segment['eight']})" if segment.get("eight") else ""
        print(f"compare_worst: {segment['start_s']:.1f}-{segment['end_s']:.1f} s{eight} {score}{advice}")
    if not result["worst_segments"]:
        print("compare_worst: none (no segment falls short)")
    print(f"comparison_url: {result['comparison_url']}")
