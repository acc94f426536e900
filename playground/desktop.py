"""Desktop integration for one user, the freedesktop way: menu entry, icons, AppStream metainfo and the
.nnproj file type, installed into $XDG_DATA_HOME (default ~/.local/share) and removed again.

Usage: ``python -m playground.desktop install|uninstall`` (``make install-desktop`` / ``uninstall-desktop``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from playground.resources import APP_ID, ICON_SIZES, icon_png, resource_path

MIME_TYPE = "application/x-nn-playground-project"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def _exec_arg(arg: str) -> str:
    """One argument of a desktop file's Exec key, quoted as the Desktop Entry spec says."""
    if not _RESERVED & set(arg):
        return arg
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + quoted.replace("\\", "\\\\") + '"'  # the key's value is a string: escape \ again


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local" / "share"


def launcher() -> str:
    """The command line that starts this installation of the app, for the desktop file's Exec key."""
    script = Path(sys.executable).with_name("nn-playground")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "playground"]
    return " ".join(_exec_arg(part) for part in command)


def targets(share: Path) -> dict[Path, Path]:
    """Every file the integration installs under ``share``, each with the shipped file it comes from."""
    desktop = resource_path("desktop")
    files = {
        share / "applications" / f"{APP_ID}.desktop": desktop / f"{APP_ID}.desktop",
        share / "metainfo" / f"{APP_ID}.metainfo.xml": desktop / f"{APP_ID}.metainfo.xml",
        share / "mime" / "packages" / f"{APP_ID}.xml": desktop / f"{APP_ID}.xml",
        share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg":
            resource_path("icons", f"{APP_ID}.svg"),
    }
    for size in ICON_SIZES:
        files[share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = icon_png(size)
    return files


def _desktop_entry(source: Path, command: str) -> str:
    """The shipped desktop file with Exec pointing at ``command`` (an installed app may not be on PATH)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    return "\n".join(f"Exec={command} %f" if line.startswith("Exec=") else line for line in lines) + "\n"


def _refresh(share: Path) -> None:
    """Rebuild the caches that desktops read, with whichever of the tools is installed."""
    for tool, args in (("update-mime-database", [str(share / "mime")]),
                       ("update-desktop-database", ["-q", str(share / "applications")]),
                       ("gtk-update-icon-cache", ["-q", "-t", "-f", str(share / "icons" / "hicolor")])):
        if shutil.which(tool) and (share / args[-1]).exists():
            subprocess.run([tool, *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def install(share: Path | None = None, command: str | None = None) -> list[Path]:
    """Install the integration under ``share`` (default: data_home()); returns the files written."""
    share = share or data_home()
    written = []
    for target, source in targets(share).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".desktop":
            target.write_text(_desktop_entry(source, command or launcher()), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    _refresh(share)
    return written


def uninstall(share: Path | None = None) -> list[Path]:
    """Remove what ``install`` wrote under ``share``; returns the files removed."""
    share = share or data_home()
    removed = [target for target in targets(share) if target.is_file()]
    for target in removed:
        target.unlink()
    _refresh(share)
    return removed


def main(argv: list[str] | None = None) -> int:
    """``python -m playground.desktop install|uninstall``."""
    parser = argparse.ArgumentParser(prog="python -m playground.desktop",
                                     description="Install or remove the app's desktop integration.")
    parser.add_argument("action", choices=("install", "uninstall"))
    args = parser.parse_args(argv)
    share = data_home()
    try:
        files = install(share) if args.action == "install" else uninstall(share)
    except OSError as exc:
        print(f"nn-playground: cannot {args.action} the desktop files in {share}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    verb = "installed" if args.action == "install" else "removed"
    print(f"{verb} {len(files)} files under {share}" + (f" (the menu entry runs {launcher()})"
                                                         if args.action == "install" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
