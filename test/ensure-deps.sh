#!/bin/sh
# Installs the project's npm dependencies when they are missing or older than package-lock.json,
# so that `npm start` and `npm test` work on a fresh clone as the README promises.
set -e
cd "$(dirname "$0")/.."
marker=node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ] || [ package.json -nt "$marker" ]; then
  echo "[deps] installing npm dependencies (npm ci)…" >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi
