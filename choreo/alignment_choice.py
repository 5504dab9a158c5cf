"""How two dancers are put on one clock: by their soundtracks when both videos carry one recording of a
song, else by their poses alone; and why, in words a result can carry.

Music fixes the timing far better than poses can: two people dancing one choreography differ in build,
camera and style, so their poses agree only loosely (``choreo.movement_match``), while one recording
played in two videos lines up to a few milliseconds (``choreo.soundtrack_alignment``). The soundtracks
are used when both jobs have them (``None``: the job was analysed before they were kept, or its
analysis failed), neither is silent, and they are one recording (``SoundtrackMatch.shared``: the onsets
line up at one place, and where both carry their chroma, the notes agree there).
"""
from __future__ import annotations

from dataclasses import dataclass

from choreo.soundtrack import Soundtrack
from choreo.soundtrack_alignment import (
    MIN_CHROMA_CORRELATION,
    MIN_CORRELATION,
    MIN_MARGIN,
    SoundtrackMatch,
    match_soundtracks,
)

SOUNDTRACK = "soundtrack"
POSES = "poses"


@dataclass(frozen=True)
class AlignmentChoice:
    #: ``SOUNDTRACK`` or ``POSES``.
    method: str
    #: The soundtracks' line when they were compared (also when they turned out to differ).
    match: SoundtrackMatch | None
    #: Why, in a sentence.
    reason: str

    @property
    def by_soundtrack(self) -> bool:
        return self.method == SOUNDTRACK


def choose_alignment(reference: Soundtrack | None, attempt: Soundtrack | None) -> AlignmentChoice:
    """Soundtrack when both carry one recording, else poses, with the reason."""
    for role, soundtrack in (("reference", reference), ("attempt", attempt)):
        if soundtrack is None:
            return AlignmentChoice(
                POSES, None, f"the {role} job has no soundtrack features (analysed before they were kept, or without the analysis)"
            )
        if soundtrack.silent:
            return AlignmentChoice(POSES, None, f"the {role} video has no sound")
    assert reference is not None and attempt is not None
    match = match_soundtracks(reference, attempt)
    if match is None:
        return AlignmentChoice(POSES, None, "the soundtracks are too short to compare")
    if match.correlation < MIN_CORRELATION:
        return AlignmentChoice(
            POSES, match,
            f"the soundtracks are different music (onset correlation {match.correlation:.2f}, under {MIN_CORRELATION})",
        )
    if match.chroma_correlation is not None and match.chroma_correlation < MIN_CHROMA_CORRELATION:
        return AlignmentChoice(
            POSES, match,
            f"the soundtracks are different music: their onsets line up (onset correlation {match.correlation:.2f}) "
            f"but their notes do not (chroma correlation {match.chroma_correlation:.2f}, under {MIN_CHROMA_CORRELATION})",
        )
    if not match.shared:
        notes = (f"their notes agree (chroma correlation {match.chroma_correlation:.2f}), but "
                 if match.chroma_correlation is not None else "")
        return AlignmentChoice(
            POSES, match,
            f"the soundtracks' beats line up but where is not certain: {notes}the onsets (correlation "
            f"{match.correlation:.2f}) stand only {match.correlation - match.sidelobe:.2f} above a shift by a beat "
            f"or more; one recording stands out by {MIN_MARGIN}",
        )
    return AlignmentChoice(
        SOUNDTRACK, match,
        f"both videos carry the same recording (onset correlation {match.correlation:.2f}); it plays "
        f"{_speed(match.tempo_ratio)} in the attempt",
    )


def not_on_screen_together(choice: AlignmentChoice, overlap_s: float) -> AlignmentChoice:
    """Back to poses when the dancers compared are on screen at different moments of the one recording."""
    return AlignmentChoice(
        POSES, choice.match,
        f"both videos carry the same recording, but the dancers compared are on screen together for only "
        f"{overlap_s:.1f} s of it",
    )


def _speed(ratio: float) -> str:
    if abs(ratio - 1) < 0.005:
        return "at the same speed"
    return f"{abs(ratio - 1) * 100:.0f} % {'slower' if ratio > 1 else 'faster'}"
