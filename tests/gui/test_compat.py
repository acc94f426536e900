"""The Qt binding keeps None's reference count: PySide6 6.12.0 did not, and Python 3.11 aborted."""

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_do_not_leak_references_to_none():
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(5000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) > before - 100
