"""Every bad input vcse-modes must survive, with the exact outcome each one gets.

Files are built in code (``builders.py``); the document cases are listed in ``catalogue.py``
with the exception ``ingest`` raises and the ``status`` of their batch row.

=====================================  ====================================  ====================
case                                   ingest / API outcome                  batch row status
=====================================  ====================================  ====================
zero-byte file                         EmptyDocumentError                    empty
scanned PDF, no text layer             NeedsOcrError                         needs_ocr
PDF with scanned pages 2 and 4         ok, warning "needs_ocr: pages 2, 4"   ok
user-password PDF (unknown password)   EncryptedDocumentError                encrypted
owner-password-only PDF                ok, text extracted                    ok
nested FlateDecode bomb (4 GiB)        UnsafeInputError (stream guard)       error
circular xref (/Prev loop)             ok, newest revision's text            ok
circular outline                       ok                                    ok
5,000 nested /Pages                    CorruptDocumentError                  error
HTML saved as .pdf                     ok as html, warning                   ok
truncated PDF                          CorruptDocumentError                  error
DOCX zip bomb (1000:1, 256 MiB)        UnsafeInputError, nothing inflated    error
DOCX billion laughs                    UnsafeInputError                      error
DOCX external entity -> secret file    UnsafeInputError, secret never shown  error (secret in no output)
encrypted OLE "docx" (D0 CF 11 E0)     EncryptedDocumentError                encrypted
.qdpx with ../ or absolute members     read_project: UnsafeInputError        error
.qdpx with 100,000 members             read_project: UnsafeInputError <1 s   error
.qdpx nested 257 / 300 / 100,000 deep  read_project: UnsafeInputError        unsupported (a project)
UTF-16LE text with BOM                 ok                                    ok
UTF-8-BOM CSV                          read_id_text: no BOM in header        ok
cp1252 transcript, smart quotes        ok, transcript, encoding warning      ok
JPEG named .txt                        UnsupportedFormatError                unsupported
CSV with a NUL byte                    read_id_text: DataError "row 3"       unsupported
mixed CRLF/LF/CR                       same text as LF, sha256 of raw bytes  ok
one 50 MB line                         ok in < 30 s                          timeout (or error: memory)
CSV field > 131,072 characters         read_id_text reads it                 ok
RTF with 4 x 4 MB \\pict               ok in < 5 s, text kept                ok
HTML with 10,000 nested divs           ok                                    ok
10,000 files + loops, links, dup,      walk counts every entry; batch of a   error / ok / duplicate
unreadable, non-UTF-8 name             300-file subset                       (unreadable: skip as root)
SIGKILL mid-batch, then --resume       outputs identical to uninterrupted    -
tampered model.npz                     UntrustedModelError (API, CLI, batch) -
card from scikit-learn 0.24.2          loads, warning naming both versions   -
label typo in training JSONL           DataError "file:line: unknown mode"   -
malformed JSONL                        DataError naming the line             -
single-example class                   trains (sklearn UserWarning only)     -
one interview across the file          grouped_folds: one fold per group     -
=====================================  ====================================  ====================
"""
