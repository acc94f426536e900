"""What is on the canvas (strokes and opened pictures) and how it is painted into a grayscale image."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

INK = QColor(255, 255, 255)
PAPER = QColor(0, 0, 0)


@dataclass
class Stroke:
    """One stroke: points in canvas units (0..1 across the square) with a width factor each.

    Attributes:
        width: the pen width as a fraction of the canvas side.
        erase: paints black (the right button) instead of white ink.
        points: (x, y, factor) tuples; the factor scales the width (tablet pressure, else 1).
        finished: the stroke has ended, so its tail (last midpoint to last point) is drawn.
    """

    width: float
    erase: bool = False
    points: list[tuple[float, float, float]] = field(default_factory=list)
    finished: bool = False


@dataclass
class Picture:
    """An opened image file, grayscale white on black, fitted into the canvas keeping its aspect."""

    image: QImage


Item = Stroke | Picture


def new_image(side: int) -> QImage:
    """A black square grayscale image of ``side`` pixels."""
    image = QImage(max(side, 1), max(side, 1), QImage.Format.Format_Grayscale8)
    image.fill(PAPER)
    return image


def _pen(stroke: Stroke, side: int, factor: float) -> QPen:
    """The round-capped pen of a stroke at a width factor, in image pixels."""
    pen = QPen(PAPER if stroke.erase else INK, max(stroke.width * side * factor, 1.0))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _point(stroke: Stroke, index: int, side: int) -> QPointF:
    """Point ``index`` of a stroke in image pixels."""
    x, y, _ = stroke.points[index]
    return QPointF(x * side, y * side)


def _mid(a: QPointF, b: QPointF) -> QPointF:
    """The midpoint of two points."""
    return (a + b) / 2


def segment_path(stroke: Stroke, index: int, side: int) -> QPainterPath:
    """The smoothed piece of a stroke that point ``index`` (1 or more) adds.

    Pieces run from midpoint to midpoint with the point between them as a quadratic control
    point, so a stroke drawn piece by piece while the pointer moves is smooth and equals the same
    stroke drawn again from its points (after an undo or a resize).

    Args:
        stroke: the stroke.
        index: the point that was added; ``len(points)`` means the tail of a finished stroke.
        side: the image side in pixels.
    """
    last = len(stroke.points) - 1
    path = QPainterPath()
    if index > last:
        path.moveTo(_mid(_point(stroke, last - 1, side), _point(stroke, last, side)))
        path.lineTo(_point(stroke, last, side))
        return path
    here, before = _point(stroke, index, side), _point(stroke, index - 1, side)
    if index == 1:
        path.moveTo(before)
        path.lineTo(_mid(before, here))
        return path
    path.moveTo(_mid(_point(stroke, index - 2, side), before))
    path.quadTo(before, _mid(before, here))
    return path


def paint_piece(painter: QPainter, stroke: Stroke, index: int, side: int) -> QRectF:
    """Paint what point ``index`` of a stroke adds (a dot for the first); return the dirty rect."""
    if index == 0:
        x, y, factor = stroke.points[0]
        radius = max(stroke.width * side * factor, 1.0) / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PAPER if stroke.erase else INK)
        centre = QPointF(x * side, y * side)
        painter.drawEllipse(centre, radius, radius)
        return QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
    neighbours = stroke.points[max(index - 1, 0) : index + 1]
    factor = sum(p[2] for p in neighbours) / len(neighbours)
    pen = _pen(stroke, side, factor)
    path = segment_path(stroke, index, side)
    painter.strokePath(path, pen)
    grow = pen.widthF() / 2 + 1
    return path.boundingRect().adjusted(-grow, -grow, grow, grow)


def paint_item(painter: QPainter, item: Item, side: int) -> None:
    """Paint a whole stroke or picture into an image of ``side`` pixels."""
    if isinstance(item, Picture):
        width, height = item.image.width(), item.image.height()
        scale = side / max(width, height, 1)
        target = QRectF((side - width * scale) / 2, (side - height * scale) / 2,
                        width * scale, height * scale)
        painter.drawImage(target, item.image)
        return
    for index in range(len(item.points)):
        paint_piece(painter, item, index, side)
    if item.finished and len(item.points) > 1:
        paint_piece(painter, item, len(item.points), side)


def render(items: list[Item], side: int) -> QImage:
    """A fresh image of ``side`` pixels with every item painted in order."""
    image = new_image(side)
    painter = begin(image)
    for item in items:
        paint_item(painter, item, side)
    painter.end()
    return image


def begin(image: QImage) -> QPainter:
    """A painter on ``image`` with antialiasing and smooth image scaling."""
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    return painter
