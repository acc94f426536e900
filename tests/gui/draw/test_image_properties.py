"""Property: the drawing pad's image loader gives a grayscale picture or its own message for any file."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from playground.gui.draw.imagefile import ImageFileError, load_picture
from tests.property.cases import outcome, put
from tests.property.strategies import picture_files, sample_pictures

VALID = sample_pictures()


@pytest.mark.qt_log_ignore(".*")  # Qt's image plugins log every damaged file; the loader's answer is checked
@given(st.data())
def test_open_image(qapp, tmp_path_factory, data) -> None:
    path = put(data, tmp_path_factory.mktemp("open"), "digit.png", picture_files(VALID))
    picture = outcome(lambda: load_picture(path), path, ImageFileError)
    if picture is None:
        return
    assert picture.format() == QImage.Format.Format_Grayscale8 and not picture.isNull()
    assert max(picture.width(), picture.height()) <= 512
