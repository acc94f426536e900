"""Desktop integration: a valid desktop file and metainfo, icons, the .nnproj type, install and uninstall."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from playground import desktop
from playground.resources import APP_ID, ICON_SIZES, icon_png, resource_path

ROOT = Path(__file__).resolve().parents[1]
DESKTOP = resource_path("desktop", f"{APP_ID}.desktop")
METAINFO = resource_path("desktop", f"{APP_ID}.metainfo.xml")
MIME = resource_path("desktop", f"{APP_ID}.xml")
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: desktop-file-utils, appstream)")
    return path


def _entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_desktop_file_is_valid() -> None:
    result = subprocess.run([_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_the_metainfo_is_valid_and_has_screenshots_and_releases() -> None:
    result = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.find("launchable").text == DESKTOP.name
    assert len(component.findall("screenshots/screenshot")) >= 3
    shots = [image.text.rsplit("/", 1)[1] for image in component.iter("image")]
    assert all((ROOT / "docs" / "screenshots" / shot).is_file() for shot in shots)
    from playground import __version__

    assert component.find("releases/release").get("version") == __version__


def test_the_project_type_is_declared_and_claimed() -> None:
    mime_type = ET.parse(MIME).getroot().find(f"{MIME_NS}mime-type")
    assert mime_type.get("type") == desktop.MIME_TYPE
    assert mime_type.find(f"{MIME_NS}glob").get("pattern") == "*.nnproj"
    assert _entry(DESKTOP)["MimeType"] == f"{desktop.MIME_TYPE};"
    assert _entry(DESKTOP)["Icon"] == APP_ID and _entry(DESKTOP)["Exec"] == "nn-playground %f"


def test_the_png_icons_are_the_svg_rendered(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, env=env, timeout=120)
    for size in ICON_SIZES:
        shipped = Image.open(icon_png(size)).convert("RGBA")
        fresh = Image.open(tmp_path / f"{size}x{size}" / f"{APP_ID}.png").convert("RGBA")
        assert shipped.size == (size, size)
        assert max(band_max for _, band_max in ImageChops.difference(shipped, fresh).getextrema()) <= 8


def test_exec_arguments_are_quoted_as_the_spec_says() -> None:
    assert desktop._exec_arg("/opt/nn/bin/nn-playground") == "/opt/nn/bin/nn-playground"
    assert desktop._exec_arg("/my apps/nn-playground") == '"/my apps/nn-playground"'
    assert desktop._exec_arg('/a"b$c') == '"/a\\\\"b\\\\$c"'


def test_make_install_desktop_installs_into_xdg_data_home_and_uninstall_removes_it(tmp_path: Path) -> None:
    share, home = tmp_path / "share", tmp_path / "home"
    env = {**os.environ, "XDG_DATA_HOME": str(share), "HOME": str(home)}
    venv = Path(sys.prefix)
    make = [_tool("make"), "-s", "-C", str(ROOT), f"VENV={venv}", f"PY={sys.executable}",
            "-o", f"{venv}/.installed"]  # this environment is set up: do not install it again
    subprocess.run([*make, "install-desktop"], env=env, check=True, capture_output=True, timeout=120)
    installed = share / "applications" / f"{APP_ID}.desktop"
    assert _entry(installed)["Exec"] == f"{desktop.launcher()} %f"
    assert Path(_entry(installed)["Exec"].split()[0].strip('"')).exists()
    for size in ICON_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    if shutil.which("update-mime-database"):  # the user's MIME database now knows .nnproj
        assert (share / "mime" / "application" / "x-nn-playground-project.xml").is_file()
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    assert not home.exists()  # nothing went into the home folder
    subprocess.run([*make, "uninstall-desktop"], env=env, check=True, capture_output=True, timeout=120)
    assert not any(path.is_file() for path in desktop.targets(share))
