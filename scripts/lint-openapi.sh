#!/bin/sh
# Lints docs/openapi.json with Redocly (recommended rules, redocly.yaml) and Spectral (its OpenAPI rules and the OWASP
# API Security ruleset, .spectral.yaml). Offline: both tools are workspace devDependencies; telemetry and update
# checks are off. Waived rules and places are listed with their reasons in those configs.
set -eu
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
sh scripts/node24.sh pnpm exec redocly lint docs/openapi.json --format=stylish
sh scripts/node24.sh pnpm exec spectral lint docs/openapi.json --ruleset .spectral.yaml --fail-severity=warn -f text
