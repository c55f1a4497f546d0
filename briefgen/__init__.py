"""briefgen: a validated, sourced fact base in; a Word memo and a PowerPoint deck out."""

__version__ = "0.1.0"

# Garbage-collector thresholds for every briefgen process (CLI and build workers). Imports and a
# build allocate millions of small objects that live until the process ends; the default
# thresholds (700, 10, 10) run collections over them again and again (15-20 % of a large build).
# Collect young objects rarely and old ones almost never.
GC_THRESHOLDS = (50_000, 50, 100)
