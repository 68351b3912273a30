#!/usr/bin/env bash
# Schemathesis against a fresh heycmo on loopback: every operation of /openapi.json with valid
# and invalid data, each answer checked against the document. Settings and the operations left
# out (those that would fetch other hosts) are in schemathesis.toml beside this file.
#
# Installs the pinned schemathesis into tests/schemathesis/.venv on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
cargo build --locked --quiet --manifest-path "$root/Cargo.toml"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/target/debug/heycmo" serve --db "$work/heycmo.db" --bind 127.0.0.1:0 \
    --rate-rest 1000000 --rate-mcp 1000000 --rate-preauth 1000000 --rate-collect 1000000 \
    --google-token-url http://127.0.0.1:9/token --ga4-base-url http://127.0.0.1:9 \
    --search-console-base-url http://127.0.0.1:9 \
    >"$work/stdout" 2>"$work/stderr" &
server=$!
for _ in $(seq 100); do
    grep -q "^heycmo listening on " "$work/stdout" 2>/dev/null && break
    sleep 0.1
done
base="$(sed -n 's/^heycmo listening on \([^ ]*\).*/\1/p' "$work/stdout")"
key="$(grep -o 'hcmo_live_[0-9a-f]*' "$work/stdout" | head -n 1)"
[ -n "$base" ] && [ -n "$key" ] || { echo "heycmo did not start:"; cat "$work/stderr"; exit 1; }
cd "$here"
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run "$base/openapi.json" \
    --header "Authorization: Bearer $key" --max-examples 10 --no-color "$@"
