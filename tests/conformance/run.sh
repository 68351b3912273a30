#!/usr/bin/env bash
# Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned in
# package.json, on the Node 22 that package.json also pins):
# the scenarios that apply to any server, against heycmo itself, with a real API key (added by
# auth-proxy.mjs, because the suite cannot send headers).
# Ends with one "conformance: N passed, M failed" line; exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node="$here/node_modules/node/bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [[ ! -x "$node" || ! -f "$suite" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

cargo build --locked --quiet --bin heycmo --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" | "$node" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
bin="$target_dir/debug"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a command whose stdout announces "listening on URL"; echoes the URL.
wait_for_url() {
  local log="$1"
  for _ in $(seq 1 200); do
    if url="$(grep -o 'listening on http://[^ ]*' "$log" | head -n1 | cut -d' ' -f3)" && [[ -n "$url" ]]; then
      echo "$url"
      return 0
    fi
    sleep 0.05
  done
  echo "server did not start; see $log" >&2
  cat "$log" >&2
  return 1
}

passed=0
failed=0
run_scenario() {
  local url="$1" scenario="$2" label="$3"
  if "$node" "$suite" server --url "$url" --scenario "$scenario" >"$work/$label-$scenario.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok    $label $scenario"
  else
    failed=$((failed + 1))
    echo "FAIL  $label $scenario"
    grep -E "FAILURE|Error" "$work/$label-$scenario.log" | head -n 20 || true
  fi
}

# 1. heycmo itself, with limits raised so the suite's bursts are not throttled.
"$bin/heycmo" serve --bind 127.0.0.1:0 --db "$work/heycmo.db" \
  --rate-mcp 1000000 --rate-rest 1000000 --rate-preauth 1000000 >"$work/heycmo.out" 2>"$work/heycmo.err" &
pids+=($!)
heycmo_url="$(wait_for_url "$work/heycmo.out")"
key="$(grep -o 'hcmo_live_[0-9a-f]*' "$work/heycmo.out" | head -n1)"
TARGET="$heycmo_url" HEYCMO_KEY="$key" "$node" "$here/auth-proxy.mjs" >"$work/proxy.out" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/proxy.out" ]] && break; sleep 0.05; done
proxy="http://localhost:$(head -n1 "$work/proxy.out")/mcp"
for scenario in server-initialize server-session-lifecycle ping tools-list logging-set-level \
  http-header-validation dns-rebinding-protection server-sse-polling server-sse-multiple-streams caching; do
  run_scenario "$proxy" "$scenario" heycmo
done

echo "conformance: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
