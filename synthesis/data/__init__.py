"""The built review as data: pandas DataFrames for analysis in notebooks (:func:`open_review`)."""
