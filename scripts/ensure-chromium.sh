#!/bin/sh
# `npm test` runs this first (the `pretest` script): the browser tests drive Debian's Chromium, so a
# fresh machine gets it here rather than failing minutes later with "Chromium not found".
# Installs it when it is missing and this user may install packages (root or passwordless sudo);
# otherwise stops with one line saying how. CHROMIUM_PATH points at another Chromium (as the tests do).
set -eu

path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then
	exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
	echo "Không thấy Chromium tại CHROMIUM_PATH=$path / Chromium not found at CHROMIUM_PATH=$path" >&2
	exit 1
fi

if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	SUDO="none"
fi

if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "Cần Chromium cho kiểm thử trình duyệt: chạy 'sudo apt-get install chromium' (hoặc đặt CHROMIUM_PATH) rồi chạy lại npm test. / Browser tests need Chromium: run 'sudo apt-get install chromium' (or set CHROMIUM_PATH), then npm test again." >&2
	exit 1
fi

echo "== Đang cài Chromium cho kiểm thử trình duyệt / installing Debian chromium for the browser tests"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
"$path" --version 2>/dev/null || true
