"""Stage 3, analysis: question x code cells, strength ratings, gaps and avenues, country comparison."""
