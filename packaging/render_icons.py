"""Render the app icon's PNG sizes from its SVG (Qt's SVG renderer) into playground/resources/icons/."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.resources import APP_ID, ICON_SIZES  # noqa: E402

ICONS = ROOT / "playground" / "resources" / "icons"  # the source tree, not an install


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn antialiased on a transparent ``size`` x ``size`` image."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> None:
    """Write ICONS/<size>x<size>/<app id>.png for every size in ICON_SIZES."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ICONS, help="folder to write the sizes into")
    args = parser.parse_args()
    _app = QGuiApplication.instance() or QGuiApplication([])
    svg = ICONS / f"{APP_ID}.svg"
    for size in ICON_SIZES:
        folder = args.out / f"{size}x{size}"
        folder.mkdir(parents=True, exist_ok=True)
        if not render(svg, size).save(str(folder / f"{APP_ID}.png")):
            raise SystemExit(f"cannot write {folder / f'{APP_ID}.png'}")
        print(f"wrote {folder / f'{APP_ID}.png'}")


if __name__ == "__main__":
    main()
