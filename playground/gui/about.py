"""What the About box and the status bar say about the app, its libraries and the device in use."""

from __future__ import annotations

import platform

import PySide6
import torch
from PySide6.QtCore import QCoreApplication, qVersion

import playground
from playground.core.training import resolve_device


def device_text() -> str:
    """ "CPU", or "CUDA (NVIDIA H200)" / "MPS": the device training will use with device "auto"."""
    device = resolve_device("auto")
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return device.type.upper()


def about_html() -> str:
    """The About box's text: versions of the app, Python, Qt, PySide6 and PyTorch, and the device."""
    rows = (
        (QCoreApplication.translate("about", "Neural Network Playground"), playground.__version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("PyTorch", torch.__version__),
        (QCoreApplication.translate("about", "Device"), device_text()),
    )
    table = "".join(f"<tr><td><b>{name}</b></td><td>&nbsp;{value}</td></tr>" for name, value in rows)
    blurb = QCoreApplication.translate(
        "about", "Build neural networks by clicking, watch them train, and draw digits for them to read.")
    return f"<p>{blurb}</p><table>{table}</table>"
