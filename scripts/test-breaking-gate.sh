#!/bin/sh
# Proves the breaking-change gate works: from the released document it derives a breaking change (a removed operation,
# a removed response field, a changed type, a new required input), the same with the major version moved, and an
# additive change; the gate must fail on the first only.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/docs/openapi.released.json" "$work/released.json"
sh "$root/scripts/node24.sh" node -e '
const fs = require("fs");
const dir = process.argv[1];
const base = JSON.parse(fs.readFileSync(`${dir}/released.json`, "utf8"));
const save = (name, doc) => fs.writeFileSync(`${dir}/${name}.json`, JSON.stringify(doc));
const breaking = structuredClone(base);
delete breaking.paths["/api/vendor/products/{id}"];
const user = breaking.components.schemas.User;
delete user.properties.fullName;
user.required = user.required.filter((name) => name !== "fullName");
breaking.components.schemas.InventoryAdjustment.properties.delta.type = "string";
const login = breaking.components.schemas.LoginRequest;
login.properties.otp = { type: "string", maxLength: 8 };
login.required.push("otp");
// Inside the allOf of every problem response (merged before Optic reads it: scripts/flatten-allof.js).
delete breaking.components.schemas.Problem.properties.requestId;
save("breaking", breaking);
save("breaking-major", { ...breaking, info: { ...breaking.info, version: "2.0.0" } });
const additive = structuredClone(base);
additive.info.version = "1.1.0";
additive.components.schemas.User.properties.avatarUrl = { type: "string", nullable: true, maxLength: 2048 };
additive.paths["/api/products"].get.parameters.push({ name: "tag", in: "query", schema: { type: "string", maxLength: 40 } });
save("additive", additive);
' "$work"

gate() { sh "$root/scripts/check-breaking.sh" "$work/released.json" "$work/$1.json" >"$work/$1.out" 2>&1; }
if gate breaking; then
  echo "gate self-test: a breaking change passed the gate" >&2; cat "$work/breaking.out" >&2; exit 1
fi
for name in removed-operation "cannot remove response property 'fullName'" "'delta' not to be narrowed" "required request property 'otp'" "cannot remove response property 'requestId'"; do
  case $name in removed-operation) pattern='cannot remove an operation' ;; *) pattern=$name ;; esac
  grep -q "$pattern" "$work/breaking.out" || { echo "gate self-test: not reported: $pattern" >&2; exit 1; }
done
gate breaking-major || { echo "gate self-test: a new major version was refused" >&2; cat "$work/breaking-major.out" >&2; exit 1; }
gate additive || { echo "gate self-test: an additive change was refused" >&2; cat "$work/additive.out" >&2; exit 1; }
echo "gate self-test: breaking change refused (removed operation, removed field, removed field of the problem responses' allOf, changed type, new required input); allowed with a new major; additive change allowed"
