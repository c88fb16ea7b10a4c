"""Import and export of the whole catalogue (JSON and CSV), all-or-nothing.

The JSON document is described in docs/catalogue-format.md. The demo data is loaded through the
same importer, so the format an operator uses is the format the project itself relies on.
"""
