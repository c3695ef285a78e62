#!/usr/bin/env bash
# Installs the Debian packages the app and its tests need, only those missing.
# Qt under Xvfb: the xcb libraries below (checked with ldd on PySide6's platform plugin);
# VTK: Mesa's software OpenGL; Chinese text: fonts-noto-cjk; PDF checks: poppler-utils;
# SR validation: dicom3tools (dciodvfy); JPEG Lossless test files: dcmtk (dcmcjpeg); the PACS and parent center in tests: orthanc (+ its DICOMweb plugin);
# two parent-center nodes on one PostgreSQL index in tests: postgresql, orthanc-postgresql.
set -euo pipefail
packages=(
  xvfb xauth libgl1 libegl1 libgl1-mesa-dri libglx-mesa0 libfontconfig1 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0 libdbus-1-3
  fonts-noto-cjk poppler-utils dicom3tools dcmtk orthanc orthanc-dicomweb
  postgresql orthanc-postgresql
)
if [ "${1:-}" = "--gui-only" ]; then
  packages=(xvfb xauth libgl1 libegl1 libgl1-mesa-dri libglx-mesa0 libfontconfig1 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
    libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0 libdbus-1-3 fonts-noto-cjk)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# orthanc's maintainer script tries to start a system service; tests start their own instance.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "$created_policy" = 1 ] && rm -f "$policy"
exit 0
