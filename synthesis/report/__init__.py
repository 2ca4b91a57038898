"""Stage 4, report: the report's context and claims, Markdown, CSV tables, the gap-map figure, pandoc rendering."""
