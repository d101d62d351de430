#!/usr/bin/env bash
# Builds the web app (web/: TypeScript + Preact, bundled by esbuild) into OUT_DIR, where the
# `reel` binary of that build finds it (src/web/web_server.h, FindWebAssets). Packages come from
# the npm registry at the versions web/package-lock.json pins; `npm ci` runs only when the lock
# changed since the last install. No Node.js runs in production: the drive serves the built files.
#   scripts/build-web.sh OUT_DIR
set -euo pipefail
out=$(realpath -m "${1:?usage: scripts/build-web.sh OUT_DIR}")
cd "$(dirname "$0")/../web"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- "$out"
