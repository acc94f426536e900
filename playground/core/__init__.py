"""Headless core: specs, analysis, building, training, prediction (never imports Qt)."""
