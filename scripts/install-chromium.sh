#!/bin/sh
# Installs Debian's Chromium for the browser tests (`pnpm test:browser`), unless it is already there.
# Playwright's own browser download does not work here; the tests use /usr/bin/chromium.
set -eu
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version || true
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
