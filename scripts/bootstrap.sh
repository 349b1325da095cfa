#!/usr/bin/env bash
# Sets up a fresh machine for Brine: the pinned pnpm, then the workspace dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "Installing pnpm@$PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1
fi
pnpm install --frozen-lockfile --reporter=silent
