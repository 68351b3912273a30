#!/usr/bin/env bash
# Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned in
# package.json, on the Node 22 that package.json also pins):
#   1. the scenarios that apply to any server, against heycmo itself;
#   2. the whole active server suite against examples/conformance_server.rs, which serves the
#      fixture tools, resources and prompts the suite expects from heycmo's own registry, MCP
#      handler and HTTP transports.
# Both servers require an API key; auth-proxy.mjs adds it, because the suite cannot send headers.
# Scenarios listed in expected-failures.txt are known gaps: they may fail, and the run fails if
# one of them starts passing (so the list only shrinks). Ends with one line
# "conformance: N passed, M failed"; exits non-zero on any unexpected result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node="$here/node_modules/node/bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [[ ! -x "$node" || ! -f "$suite" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

cargo build --locked --quiet --bin heycmo --example conformance_server --manifest-path "$root/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  "$node" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
bin="$target_dir/debug"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits for "listening on URL" in a log; echoes the URL.
wait_for_url() {
  local log="$1" url
  for _ in $(seq 1 400); do
    url="$(grep -o 'listening on http://[^ ]*' "$log" | head -n1 | cut -d' ' -f3 || true)"
    if [[ -n "$url" ]]; then echo "$url"; return 0; fi
    sleep 0.05
  done
  echo "server did not start; see $log" >&2
  cat "$log" >&2
  return 1
}

# Starts an auth proxy in front of the server whose log is $work/NAME.out (URL and key) and sets
# proxy_url to the proxy's MCP URL. Not called in a subshell, so the proxy's pid is remembered.
proxy_url=""
start_proxy() {
  local name="$1" url key
  url="$(wait_for_url "$work/$name.out")"
  key="$(grep -o 'hcmo_live_[0-9a-f]*' "$work/$name.out" | head -n1)"
  TARGET="$url" HEYCMO_KEY="$key" "$node" "$here/auth-proxy.mjs" >"$work/$name.proxy" &
  pids+=($!)
  for _ in $(seq 1 100); do [[ -s "$work/$name.proxy" ]] && break; sleep 0.05; done
  proxy_url="http://localhost:$(head -n1 "$work/$name.proxy")/mcp"
}

mapfile -t expected < <(grep -v '^\s*\(#\|$\)' "$here/expected-failures.txt" | awk '{print $1}')
is_expected() { local x; for x in "${expected[@]}"; do [[ "$x" == "$1" ]] && return 0; done; return 1; }

passed=0
failed=0
known=0
run_scenario() {
  local url="$1" scenario="$2" label="$3" log="$work/$3-$2.log"
  if "$node" "$suite" server --url "$url" --scenario "$scenario" --timeout 15000 >"$log" 2>&1; then
    if [[ "$label" == fixture ]] && is_expected "$scenario"; then
      failed=$((failed + 1))
      echo "STALE $label $scenario passes now: remove it from tests/conformance/expected-failures.txt"
    else
      passed=$((passed + 1))
      echo "ok    $label $scenario"
    fi
  elif [[ "$label" == fixture ]] && is_expected "$scenario"; then
    known=$((known + 1))
    echo "known $label $scenario (expected failure)"
  else
    failed=$((failed + 1))
    echo "FAIL  $label $scenario"
    grep -E "FAILURE|Error" "$log" | head -n 20 || true
  fi
}

# 1. heycmo itself, with limits raised so the suite's bursts are not throttled.
"$bin/heycmo" serve --bind 127.0.0.1:0 --db "$work/heycmo.db" \
  --rate-mcp 1000000 --rate-rest 1000000 --rate-preauth 1000000 >"$work/heycmo.out" 2>"$work/heycmo.err" &
pids+=($!)
start_proxy heycmo
heycmo="$proxy_url"
for scenario in server-initialize server-session-lifecycle ping tools-list logging-set-level \
  http-header-validation dns-rebinding-protection server-sse-polling server-sse-multiple-streams caching; do
  run_scenario "$heycmo" "$scenario" heycmo
done

# 2. The fixture server: every scenario of the active suite (extensions are not in it).
"$bin/examples/conformance_server" --bind 127.0.0.1:0 >"$work/fixture.out" 2>"$work/fixture.err" &
pids+=($!)
start_proxy fixture
fixture="$proxy_url"
mapfile -t scenarios < <("$node" "$suite" list --server | sed -n 's/^  - \([^ ]*\) \[\(.*\)\]$/\1 \2/p' | grep -v ' extension$' | cut -d' ' -f1)
for scenario in "${scenarios[@]}"; do
  run_scenario "$fixture" "$scenario" fixture
done

echo "known gaps (expected failures): $known"
echo "conformance: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
