"""Dance measures computed from pose series: pure numpy, no I/O (the worker does that).

One module per measure, each naming its units and the paper it follows: ``angles`` (joint angles
in degrees), ``beat_alignment`` (Beat Align Score both ways, signed offsets). Tempo, energy,
music beats, synchrony and the report follow (issue 10).
"""
