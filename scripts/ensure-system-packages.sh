#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own here),
# screenshots and PDF documents need a CJK font, WeasyPrint (PDFs) needs Pango and the translation
# check needs GNU gettext; the PDF tests read text back with pdftotext. Install them when missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v msgfmt >/dev/null && command -v xgettext >/dev/null || need+=(gettext)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
for pkg in libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${need[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Browser tests and PDFs need these Debian packages: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
