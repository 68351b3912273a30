#!/usr/bin/env bash
# A walk through the REST API with curl. Start the server (`make run`), then:
#   BASE=http://127.0.0.1:8080 KEY=hcmo_live_... SITE=https://your-site.example/ bash examples/curl_walkthrough.sh
# tests/examples.rs runs this script against a real server, so it stays true.
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8080}"
: "${KEY:?set KEY to your hcmo_live_ key}"
auth=(-H "Authorization: Bearer $KEY")

echo "# Is it up, and is the database reachable?"
curl -fsS "$BASE/api/health"; echo
curl -fsS "$BASE/api/health/ready"; echo

echo "# Which tools are there?"
curl -fsS "$BASE/api/tools" | grep -o '"name":"[a-z_]*"' | sort -u

echo "# Who am I? (the customer id is what the REST routes take)"
account="$(curl -fsS -X POST "${auth[@]}" "$BASE/api/tools/get_account")"
echo "$account"
customer="$(printf '%s' "$account" | grep -o '"id":"cust_[0-9a-f]*"' | cut -d'"' -f4)"

echo "# The same record at the hosted API's route"
curl -fsS "${auth[@]}" "$BASE/api/customer/$customer"; echo

echo "# The event log: every call above is in it"
curl -fsS "${auth[@]}" "$BASE/api/events/$customer?type=tool.called&limit=3"; echo

SITE="${SITE:-https://example.com/}"
echo "# Onboard a brand from its site, then audit the site (SEO/GEO, then conversion)"
curl -fsS -X POST "${auth[@]}" -d "{\"url\": \"$SITE\", \"maxPages\": 3}" \
  "$BASE/api/onboard/$customer/auto-extract" | grep -o '"name":"[^"]*"' | head -1
curl -fsS -X POST "${auth[@]}" -d "{\"url\": \"$SITE\"}" "$BASE/api/scan" | grep -o '"overall":[0-9]*'
curl -fsS -X POST "${auth[@]}" -d "{\"url\": \"$SITE\"}" "$BASE/api/tools/cro_audit" | grep -o '"overall":[0-9]*'

echo "# Errors are JSON with a stable code and the request id"
curl -sS -w '\n(status %{http_code})\n' -X POST "${auth[@]}" -d '{"limit": 0}' "$BASE/api/tools/list_events"
