"""Exchange with other tools: REFI-QDA projects (NVivo, ATLAS.ti, MAXQDA, QualCoder) and the RO-Crate of a build."""
