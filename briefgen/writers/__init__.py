"""Writers: each turns a `briefgen.model.Document` plus options into the bytes of one format.

Only `writers.docx` imports python-docx and only `writers.pptx` imports python-pptx; import the
one you need directly so that other commands do not pay for the rest.
"""
