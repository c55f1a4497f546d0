"""Writers: one per format, each a function of the same shape

    write_<format>(model, options: <Format>Options, reference: bytes) -> (bytes, warnings)

    write_docx(document: Document, options: DocxOptions, reference: bytes)
    write_markdown(document: Document, options: MarkdownOptions | None = None, reference: bytes | None = None)
    write_pptx(deck: DeckPlan, options: PptxOptions, reference: bytes)
    write_pdf(document: Document | DeckPlan, options: PdfOptions, reference: bytes)

The model is what the format is drawn from: the memo's pure document model (`briefgen.model`
`Document`) for Word and the review Markdown (memo or deck), the deck as planned against its
reference (`briefgen.slides.DeckPlan`, the plan step's) for PowerPoint, and either for PDF.
`options` is a frozen dataclass the writer never changes, `reference` the reference document's
bytes as `briefgen.config` read and vetted them (the review Markdown has none and ignores it).
A writer reads no file and returns what it had to work around as warnings
(`briefgen.errors.Problem`); it raises a `BriefgenError` when it cannot write at all.
`writers.pdf` goes through the Word or PowerPoint writer, then LibreOffice.

Only `writers.docx*` imports python-docx and only `writers.pptx*` imports python-pptx (contracts
in pyproject.toml); import the writer you need directly so that other commands do not pay for
the rest.
"""
