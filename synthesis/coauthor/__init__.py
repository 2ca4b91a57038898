"""Co-author tools: scaffolding a new source, Excel workbooks, and ``review check``."""
