"""The loader properties load their hypothesis profile (tests.property.budget) before they are collected."""

from tests.property import budget  # noqa: F401
