"""Writers: one per format, each a function of the same shape

    write_<format>(document: Document, options: <Format>Options, reference: bytes) -> (bytes, warnings)

`document` is the pure model (`briefgen.model`), `options` a frozen dataclass the writer never
changes, `reference` the reference document's bytes as `briefgen.config` read and vetted them
(the review Markdown has none and ignores it). A writer reads no file and returns what it had
to work around as warnings (`briefgen.errors.Problem`); it raises a `BriefgenError` when it
cannot write at all. `writers.pdf` goes through the Word or PowerPoint writer, then LibreOffice.

Only `writers.docx*` imports python-docx and only `writers.pptx*` imports python-pptx (contracts
in pyproject.toml); import the writer you need directly so that other commands do not pay for
the rest.
"""
