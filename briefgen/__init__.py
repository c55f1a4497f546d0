"""briefgen: a validated, sourced fact base in; a Word memo and a PowerPoint deck out."""

__version__ = "0.1.0"
