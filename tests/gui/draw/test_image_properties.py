"""Property: the drawing pad's image loader gives a grayscale picture or its own message for any file."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from playground.gui.draw.imagefile import ImageFileError, load_picture
from tests.hostile import SPECIAL_KINDS, deadline, special_file
from tests.property.budget import CASE_SECONDS
from tests.property.strategies import picture_files, sample_pictures

VALID = sample_pictures()


@pytest.mark.qt_log_ignore(".*")  # Qt's image plugins log every damaged file; the loader's answer is checked
@given(st.data())
def test_open_image(qapp, tmp_path_factory, data) -> None:
    path = tmp_path_factory.mktemp("open") / "digit.png"
    if data.draw(st.integers(0, 9)) == 0:
        path = special_file(path.parent, data.draw(st.sampled_from(SPECIAL_KINDS)), path.name)
    else:
        path.write_bytes(data.draw(picture_files(VALID)))
    with deadline(CASE_SECONDS):
        try:
            picture = load_picture(path)
        except ImageFileError as exc:
            assert path.name in str(exc)
            return
    assert picture.format() == QImage.Format.Format_Grayscale8 and not picture.isNull()
    assert max(picture.width(), picture.height()) <= 512
