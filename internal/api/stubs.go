package api

// These route groups are filled in by their own files.
