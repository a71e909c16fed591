#!/bin/sh
# The breaking-change gate (docs/VERSIONING.md): compares the API document against the last released one with Optic
# (`optic diff --check`, its breaking-change rules: removed operation, parameter or response property, narrowed type or
# enum, new required input...) and fails on a breaking change unless the major version moved.
# Usage: scripts/check-breaking.sh [released.json] [current.json]   (defaults: docs/openapi.released.json docs/openapi.json)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
released=$(realpath "${1:-$root/docs/openapi.released.json}")
current=$(realpath "${2:-$root/docs/openapi.json}")
export OPTIC_TELEMETRY_LEVEL=off

# Optic reads its inputs with every `allOf` already merged (scripts/flatten-allof.js says why and how).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$root/scripts/node24.sh" node "$root/scripts/flatten-allof.js" "$released" "$work/released.json"
sh "$root/scripts/node24.sh" node "$root/scripts/flatten-allof.js" "$current" "$work/current.json"

major() { sh "$root/scripts/node24.sh" node -p "String(require('$1').info.version).split('.')[0]"; }
released_major=$(major "$released")
current_major=$(major "$current")

if [ "$current_major" -lt "$released_major" ]; then
  echo "check-breaking: info.version major $current_major is below the released $released_major" >&2
  exit 1
fi
if [ "$current_major" -gt "$released_major" ]; then
  echo "check-breaking: major version moved ($released_major -> $current_major): breaking changes are allowed; listing them"
  (cd "$root" && sh scripts/node24.sh pnpm exec optic diff "$work/released.json" "$work/current.json") || true
  exit 0
fi
echo "check-breaking: $(basename "$current") against released $(basename "$released") (major $current_major)"
cd "$root" && sh scripts/node24.sh pnpm exec optic diff "$work/released.json" "$work/current.json" --check
