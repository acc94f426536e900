"""Core and data work with Qt not importable: every module imports and a network trains."""

import subprocess
import sys

import pytest

BLOCK_QT = """
import builtins
real = builtins.__import__
def guard(name, *args, **kwargs):
    if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'):
        raise ImportError('Qt is blocked in this test')
    return real(name, *args, **kwargs)
builtins.__import__ = guard
"""

SCRIPT = BLOCK_QT + """
import importlib, pkgutil
import playground.core, playground.data
for package in (playground.core, playground.data):
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):
        importlib.import_module(info.name)
from playground.core.presets import preset
from playground.core.training import TrainConfig, Trainer
from playground.core.metrics import EpochRecord
from playground.data.registry import load_dataset
data = load_dataset('mnist-sample')
data.train_x, data.train_y = data.train_x[:128], data.train_y[:128]
records = list(Trainer(preset('small-cnn'), data, TrainConfig(epochs=1)).run())
assert any(isinstance(r, EpochRecord) for r in records)
print('headless ok')
"""


@pytest.mark.slow
def test_core_and_data_import_and_train_with_qt_blocked():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "headless ok" in result.stdout
