"""A client of the Dance Analysis API, standard library only: it runs wherever Python 3.11 does.

``pip install`` makes it the ``dance`` command (``dance upload clip.mp4 --wait``); ``python -m
dance_client`` runs the same. The modules, each with one job:

    api.py        the API's paths, final statuses and video types: the one place they are spelled
    errors.py     the failures, one root (``ClientError``)
    transport.py  HTTP: JSON calls, streamed uploads and answers, retries with backoff
    video.py      the file: found, typed, read in chunks
    uploads.py    one presigned PUT (then confirm), and the deprecated upload through the API
    multipart.py  uploads in parts, several at once, each retried
    resume.py     resume records of interrupted uploads in parts
    events.py     server-sent events: waiting for a job or a comparison to end
    progress.py   progress bars on stderr
    report.py     what the command prints
    cli.py        the ``dance`` command and ``scripts/dev/upload_video.py``
"""
