#!/usr/bin/env bash
# Bounded schemathesis fuzz pass against a locally started `tsudoi serve --demo`.
#
# Usage: scripts/fuzz-api.sh [PATH_TO_TSUDOI_BINARY]   (default: target/debug/tsudoi)
#
# Environment knobs (all optional):
#   FUZZ_MAX_EXAMPLES  test cases per operation and phase   (default 200: ~6 min on 2 cores)
#   FUZZ_SEED          hypothesis seed                       (default 20261124)
#   FUZZ_WORKERS       schemathesis workers                  (default 2)
#   FUZZ_PHASES        schemathesis phases                   (default examples,coverage,fuzzing,stateful)
#   FUZZ_TIME_LIMIT    hard stop for schemathesis, seconds   (default 600)
#   FUZZ_OUT           directory for reports / server log    (default: a fresh mktemp -d)
#   TSUDOI_VENV        where the virtualenv lives            (default: .venv in the repository)
#
# It never builds anything: it only runs the binary it is given. The server runs in a
# temp dir (its own ./tsudoi.db) on a free loopback port and is killed on exit.
# Exit status: schemathesis' own (non-zero when it found failures), or 2 for setup errors.
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TSUDOI_VENV:-$REPO_ROOT/.venv}"

BIN="${1:-target/debug/tsudoi}"
case "$BIN" in /*) ;; *) BIN="$REPO_ROOT/$BIN" ;; esac
if [[ ! -x "$BIN" ]]; then
    echo "fuzz-api: binary not found or not executable: $BIN" >&2
    exit 2
fi

MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-200}"
TIME_LIMIT="${FUZZ_TIME_LIMIT:-600}"
SEED="${FUZZ_SEED:-20261124}"
WORKERS="${FUZZ_WORKERS:-2}"
PHASES="${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}"

# --- 1. virtualenv with a pinned schemathesis -------------------------------------------
# schemathesis runs its workers as threads, and CPython before 3.13 can fail one of them with
# "SystemError: AST constructor recursion depth mismatch" (a data race in `ast.parse`, CPython
# gh-106905), which reads as an error of the API under test. So the newest Python at hand makes
# the virtualenv: 3.13 when installed (on PATH or under pyenv), else `python3`.
pick_python() {
    if [[ -n "${TSUDOI_FUZZ_PYTHON:-}" ]]; then echo "$TSUDOI_FUZZ_PYTHON"; return; fi
    local candidate
    for candidate in "$(command -v python3.13 || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
        # (A pyenv shim is on PATH for every version, but runs only the selected ones.)
        if [[ -n "$candidate" ]] && "$candidate" -c 'import venv' >/dev/null 2>&1; then
            echo "$candidate"
            return
        fi
    done
    echo python3
}
PYTHON="$(pick_python)"
WANTED="$("$PYTHON" -c 'import sys; print(sys.version_info[:2])')"
if [[ -x "$VENV/bin/python" && "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" != "$WANTED" ]]; then
    rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
ST="$VENV/bin/schemathesis"
PY="$VENV/bin/python"

# --- 2. start the server ------------------------------------------------------------------
WORK="$(mktemp -d -t tsudoi-fuzz.XXXXXX)"
OUT="${FUZZ_OUT:-$WORK/report}"
mkdir -p "$OUT"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
ORIGIN="http://127.0.0.1:$PORT"
# The door pass's rate limit is off: the fuzzer would spend most door requests on 429s.
(cd "$WORK" && TSUDOI_DOOR_LIMIT_PER_MINUTE=0 exec "$BIN" serve --listen "127.0.0.1:$PORT" --demo \
    >"$OUT/server.stdout.log" 2>"$OUT/server.stderr.log") &
SERVER_PID=$!

ready=0
for _ in $(seq 1 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "fuzz-api: server exited early; log:" >&2
        tail -n 30 "$OUT/server.stderr.log" >&2
        exit 2
    fi
    if curl -fsS -o /dev/null "$ORIGIN/readyz" 2>/dev/null; then ready=1; break; fi
    sleep 0.2
done
if [[ "$ready" != 1 ]]; then
    echo "fuzz-api: server not ready after 60 s" >&2
    tail -n 30 "$OUT/server.stderr.log" >&2
    exit 2
fi
TOKEN="$(cat "$OUT/server.stdout.log" "$OUT/server.stderr.log" | grep -o 'tsudoi_[A-Za-z0-9_-]*' | head -n 1 || true)"
if [[ -z "$TOKEN" ]]; then
    echo "fuzz-api: no owner token found in the server output" >&2
    exit 2
fi
AUTH="Authorization: Bearer $TOKEN"
echo "fuzz-api: server pid $SERVER_PID on $ORIGIN, work dir $WORK"

# --- 3. config: steer generated path parameters to the demo data ---------------------------
api_get() { curl -fsS -H "$AUTH" "$ORIGIN/api/$1"; }
api_get "v1/networks/demo/events?when=all&archived=true&limit=200" >"$WORK/events.json"
api_get "v1/networks/demo/venues" >"$WORK/venues.json"
api_get "v1/networks/demo/series" >"$WORK/series.json"
api_get "v1/public/networks/demo/events" >"$WORK/public.json"
curl -fsS "$ORIGIN/api/openapi.json" >"$OUT/openapi.json"
# Sacrificial objects for the destructive operations: without them schemathesis picks ids
# out of earlier responses, revokes the very token it authenticates with (all later
# requests become 401) or demotes the owner (403s). Those operations get these ids pinned.
api_post() { curl -fsS -H "$AUTH" -H 'Content-Type: application/json' -d "$2" "$ORIGIN/api/$1"; }
api_post "v1/tokens" '{"name":"fuzz-sacrificial"}' >"$WORK/sac_token.json"
api_post "v1/networks/demo/members" '{"email":"fuzz-patch@example.com","role":"organizer"}' >"$WORK/sac_member_patch.json"
api_post "v1/networks/demo/members" '{"email":"fuzz-delete@example.com","role":"door_staff"}' >"$WORK/sac_member_delete.json"
# A door pass open now, at the next published event: the door's operations are fuzzed with it
# (X-Door-Pass), and a second pass is there to be revoked.
DOOR_EVENT="$("$PY" -c '
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
events = json.load(open(sys.argv[1]))
if isinstance(events, dict):  # tolerate a paginated envelope
    events = events.get("items") or events.get("data") or []
events = [e for e in events if e["status"] == "published" and e["starts_at"] > now]
print(min(events, key=lambda e: e["starts_at"])["id"])' "$WORK/events.json")"
OPEN_NOW="$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)"
api_post "v1/events/$DOOR_EVENT/door-passes" "{\"label\":\"Fuzz gate\",\"valid_from\":\"$OPEN_NOW\"}" >"$WORK/pass.json"
api_post "v1/events/$DOOR_EVENT/door-passes" '{"label":"Fuzz revoked"}' >"$WORK/sac_pass.json"
PASS="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/pass.json")"

"$PY" - "$WORK" >"$WORK/schemathesis.toml" <<'EOF'
import json, sys
work = sys.argv[1]
def load(name):
    with open(f"{work}/{name}") as fh:
        return json.load(fh)
events = load("events.json")
if isinstance(events, dict):  # tolerate a paginated envelope
    events = events.get("items") or events.get("data") or []
ids = {
    "event_ids": [e["id"] for e in events],
    "venue_ids": [v["id"] for v in load("venues.json")],
    "series_ids": [s["id"] for s in load("series.json")],
}
slugs = sorted({e["slug"] for e in events if e.get("slug")} | {e["slug"] for e in load("public.json")})
q = json.dumps
print("# generated by scripts/fuzz-api.sh")
print("[parameters]")
print('"path.network" = "demo"')
print()
for name, values in ids.items():
    if not values:
        sys.exit(f"no demo data for {name}")
    print(f"[dictionaries.{name}]\nvalues = {q(values)}\n")
print(f"[dictionaries.event_slugs]\nvalues = {q(slugs)}\n")
sac_token = load("sac_token.json")["token"]["id"]
sac_patch = load("sac_member_patch.json")["person_id"]
sac_delete = load("sac_member_delete.json")["person_id"]
sac_pass = load("sac_pass.json")["pass"]["id"]
for name, param, value in [
    ("DELETE /v1/tokens/{id}", "id", sac_token),
    ("POST /v1/door-passes/{id}/revoke", "id", sac_pass),
    ("PATCH /v1/networks/{network}/members/{person_id}", "person_id", sac_patch),
    ("DELETE /v1/networks/{network}/members/{person_id}", "person_id", sac_delete),
]:
    print("[[operations]]")
    print(f"include-name = {q(name)}")
    print(f'parameters = {{ "path.{param}" = {q(value)} }}')
    print()
# Real ids most of the time, still some random UUIDs (probability < 1) for the 404 paths.
for prefix, dictionary, param in [
    ("/v1/events/", "event_ids", "id"),
    ("/v1/venues/", "venue_ids", "id"),
    ("/v1/series/", "series_ids", "id"),
    ("/v1/public/events/", "event_slugs", "slug"),
]:
    print("[[operations]]")
    print(f'include-path-regex = "^{prefix}"')
    print(f'parameters = {{ "path.{param}" = {{ dictionary = "{dictionary}", probability = 0.8 }} }}')
    print()
EOF

metrics_snapshot() { curl -fsS "$ORIGIN/metrics" >"$1" 2>/dev/null || : >"$1"; }
metrics_snapshot "$WORK/metrics.before"

# --- 4. run schemathesis -------------------------------------------------------------------
# object_level_authorization needs a second identity; everything else applies here.
CMD=(
    timeout --signal=INT --kill-after=30 "$TIME_LIMIT"
    "$ST" --config-file "$WORK/schemathesis.toml" run "$ORIGIN/api/openapi.json"
    --url "$ORIGIN/api"
    --header "$AUTH"
    --header "X-Door-Pass: $PASS"
    # object_level_authorization needs a second identity (the e2e tests cover the walls
    # between networks). positive_data_acceptance expects every schema-valid body to be
    # accepted, but some rules cannot be said in a schema (ends_at after starts_at, seats
    # within the venue's capacity, IANA time zones, trimmed text): those answer a documented 422.
    --checks all --exclude-checks object_level_authorization,positive_data_acceptance
    --phases "$PHASES"
    --max-examples "$MAX_EXAMPLES"
    --seed "$SEED"
    --workers "$WORKERS"
    --generation-database none
    --request-timeout 10
    --continue-on-failure
    --no-color
    --report junit,ndjson
    --report-dir "$OUT"
    --report-junit-path "$OUT/junit.xml"
    --report-ndjson-path "$OUT/events.ndjson"
)
printf 'fuzz-api: running:'; printf ' %q' "${CMD[@]}" | sed "s/$TOKEN/\$TOKEN/g; s/$PASS/\$PASS/g"; echo
START=$(date +%s)
set +e
(cd "$WORK" && "${CMD[@]}") 2>&1 | sed "s/$TOKEN/\$TOKEN/g; s/$PASS/\$PASS/g" | tee "$OUT/schemathesis.log"
ST_RC=${PIPESTATUS[0]}
set -e
ELAPSED=$(( $(date +%s) - START ))
metrics_snapshot "$WORK/metrics.after"
cp "$WORK/schemathesis.toml" "$WORK/metrics.before" "$WORK/metrics.after" "$OUT/"

# --- 5. summary ----------------------------------------------------------------------------
"$PY" - "$OUT" "$ELAPSED" "$ST_RC" <<'EOF'
import base64, collections, json, re, sys
import xml.etree.ElementTree as ET

out, elapsed, rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

# JUnit: one <testcase> per operation (plus one "Stateful tests"), failures/errors inside.
ops = failed_ops = errored_ops = 0
try:
    root = ET.parse(f"{out}/junit.xml").getroot()
    for tc in root.iter("testcase"):
        if tc.get("name") == "Stateful tests":
            continue
        ops += 1
        if tc.find("failure") is not None:
            failed_ops += 1
        if tc.find("error") is not None:
            errored_ops += 1
except (OSError, ET.ParseError) as exc:
    print(f"fuzz-api: cannot read junit report: {exc}")

# NDJSON event stream: count the requests schemathesis recorded and their statuses.
statuses = collections.Counter()
seen = set()
# Distinct failures, keyed by (code, title, gist); the gist is the first line of the
# message plus, for schema violations, the schema location that was violated.
failures = {}
def decode(content):
    if isinstance(content, dict) and "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return ""
def record_failures(recorder):
    interactions = recorder.get("interactions") or {}
    for case_id, checks in (recorder.get("checks") or {}).items():
        for check in checks:
            info = (check.get("failure_info") or {}).get("failure")
            if check.get("status") != "failure" or not info:
                continue
            message = info.get("message") or ""
            gist = message.split("\n", 1)[0].strip()
            if info.get("code") == "ST204":  # one kind, whatever undeclared method was tried
                gist = re.sub(r"^[A-Z]+ returned", "<undeclared method> returned", gist)
            where = re.search(r"^Schema at (\S+?):?$", message, re.M)
            if where:
                gist += f" @ {where.group(1)}"
            inter = interactions.get(case_id) or {}
            req, resp = inter.get("request") or {}, inter.get("response") or {}
            key = (info.get("code", ""), info.get("title", ""), gist)
            slot = failures.setdefault(key, {"count": 0, "ops": collections.Counter(), "statuses": set(), "example": None})
            slot["count"] += 1
            slot["ops"][info.get("operation", "?")] += 1
            slot["statuses"].add(str(resp.get("status_code")))
            if slot["example"] is None:
                slot["example"] = {
                    "check": check.get("name"),
                    "method": req.get("method"),
                    "uri": req.get("uri"),
                    "request_body": decode(req.get("body"))[:500],
                    "status": resp.get("status_code"),
                    "response_body": decode(resp.get("content"))[:500],
                }
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("recorder"), dict):
            record_failures(node["recorder"])
        interactions = node.get("interactions")
        if isinstance(interactions, dict):
            for key, inter in interactions.items():
                if key in seen or not isinstance(inter, dict):
                    continue
                seen.add(key)
                resp = inter.get("response") or {}
                code = resp.get("status_code") if isinstance(resp, dict) else None
                statuses[code if code is not None else "no response"] += 1
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
try:
    with open(f"{out}/events.ndjson") as fh:
        for line in fh:
            line = line.strip()
            if line:
                walk(json.loads(line))
except OSError as exc:
    print(f"fuzz-api: cannot read ndjson report: {exc}")

# Server-side view: /metrics difference (includes schemathesis' own requests only, the
# setup requests happened before the first snapshot).
def parse(path):
    counts = collections.Counter()
    try:
        text = open(path).read()
    except OSError:
        return counts
    for m in re.finditer(r'^tsudoi_http_requests_total\{([^}]*)\}\s+([0-9.eE+]+)', text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        counts[labels.get("status", "?")] += float(m.group(2))
    return counts
diff = parse(f"{out}/metrics.after")
diff.subtract(parse(f"{out}/metrics.before"))
diff = {k: int(v) for k, v in diff.items() if v}

def share(counter):
    total = sum(v for v in counter.values())
    ok = sum(v for k, v in counter.items() if str(k).startswith("2"))
    return total, ok, (100.0 * ok / total if total else 0.0)

print()
print("=" * 72)
print("fuzz-api summary")
print(f"  runtime                : {elapsed} s")
print(f"  operations tested      : {ops} (with failures: {failed_ops}, with errors: {errored_ops})")
total, ok, pct = share(statuses)
print(f"  test cases (requests)  : {total} recorded by schemathesis")
print(f"  2xx share (recorded)   : {ok}/{total} = {pct:.1f}%")
print("  statuses (recorded)    : " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
if diff:
    total, ok, pct = share(diff)
    print(f"  requests (server)      : {total} per /metrics")
    print(f"  2xx share (server)     : {ok}/{total} = {pct:.1f}%")
    print("  statuses (server)      : " + ", ".join(f"{k}={v}" for k, v in sorted(diff.items())))
generated = re.search(r"^\s*(\d+) generated.*$", open(f"{out}/schemathesis.log").read(), re.M)
if generated:
    print(f"  schemathesis says      : {generated.group(0).strip()}")
print(f"  distinct failures      : {len(failures)} kinds (code + message + schema location)")
with open(f"{out}/failures.json", "w") as fh:
    json.dump([
        {"code": k[0], "title": k[1], "gist": k[2], "count": v["count"], "statuses": sorted(v["statuses"]),
         "operations": dict(v["ops"]), "example": v["example"]}
        for k, v in sorted(failures.items())
    ], fh, indent=2, ensure_ascii=False)
for (code, title, gist), v in sorted(failures.items()):
    ops = sorted(v["ops"])
    shown = ", ".join(ops[:3]) + (f", ... ({len(ops)} operations)" if len(ops) > 3 else "")
    print(f"  - {code} {title}: {gist}")
    print(f"      status {'/'.join(sorted(v['statuses']))}, {v['count']} checks failed; {shown}")
print(f"  schemathesis exit code : {rc}")
print(f"  reports                : {out}/junit.xml, {out}/events.ndjson, {out}/failures.json, {out}/schemathesis.log")
print("=" * 72)
EOF

# The reports run to ~100 MB; keep them only when asked for (FUZZ_OUT) or when something failed.
if [[ "$ST_RC" -eq 0 && -z "${FUZZ_OUT:-}" ]]; then
    rm -rf "$WORK"
fi
exit "$ST_RC"
