"""The site: a clinic's prepared pages built by MkDocs (the only package that knows it), incrementally, in parallel, switched in whole."""
