"""Stage 1, inputs: reading and validating the review folder (protocol, bibliography, sources, sheets, commentary)."""
