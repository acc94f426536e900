"""Datasets: IDX files, downloads, the catalogue, in-memory tensors (never imports Qt)."""
