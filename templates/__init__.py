"""Makes the top-level templates/ folder installable as the package `briefgen.templates`."""
