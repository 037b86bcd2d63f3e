"""Reading customer and order files: encodings, formats, and per-row error reports."""
