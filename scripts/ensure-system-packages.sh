#!/usr/bin/env bash
# Make sure the system libraries the platform needs are installed: Pango and DejaVu fonts for WeasyPrint's
# PDFs (agreements, referral letters, progress reports, with Romanian diacritics). Installs them with apt
# when missing and we may; says what to install otherwise.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || missing+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages for PDF generation: ${missing[*]}"
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Please install: ${missing[*]} (PDFs will not render without them)." >&2
fi
