"""Read PDF, DOCX, ODT, HTML, plain text, RTF, WebVTT and SRT files into Documents.

Importing this package is cheap: the readers (pypdfium2, python-docx, lxml, striprtf,
charset-normalizer) load only when a file of their format is read.

>>> from vcse_modes.ingest import ingest
>>> doc = ingest("strategy.pdf", roles={"R1": "commissioner"})  # doctest: +SKIP
"""

from vcse_modes.ingest.api import ingest, ingest_bytes

__all__ = ["ingest", "ingest_bytes"]
