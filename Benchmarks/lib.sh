# Shared by the benchmark scripts (sourced): a scratch directory, cleanup of
# every process they start (role processes included), and a cluster start.
PASSWORD=bench-password
WORK=$(mktemp -d /tmp/steward-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for f in "$WORK"/*/*/instances/*/pid "$WORK"/*/instances/*/pid; do
    [ -f "$f" ] && kill -9 -- "-$(cat "$f")" 2>/dev/null || true
  done
  if [ -n "${KEEP_WORK:-}" ]; then echo "# kept $WORK" >&2; else rm -rf "$WORK"; fi
  PIDS=()
}
trap cleanup EXIT

# start_cluster BIN DIR STACK PORT_SHIFT HOST... : a manager and one agent per
# host, all connected; sets URL and MANAGER (the manager's pid). MANAGER_ARGS:
# more options for the manager (say --database postgres://... --key-file F).
start_cluster() {
  local bin=$1 dir=$2 stack=$3 shift_by=$4; shift 4
  mkdir -p "$dir"
  rm -f "$dir/manager/manager.url"
  "$bin" manager --data-dir "$dir/manager" --port 0 --admin-password "$PASSWORD" --stack "$stack" \
    --port-shift "$shift_by" --log-level warning ${MANAGER_ARGS:-} > "$dir/manager.log" 2>&1 &
  MANAGER=$!
  PIDS+=("$MANAGER")
  for _ in $(seq 200); do [ -f "$dir/manager/manager.url" ] && break; sleep 0.05; done
  URL=$(cat "$dir/manager/manager.url")
  for h in "$@"; do
    "$bin" agent --manager "$URL" --host "$h" --data-dir "$dir/$h" --token-file "$dir/manager/agent.token" \
      --stop-instances-on-exit --log-level warning > "$dir/$h.log" 2>&1 &
    PIDS+=($!)
  done
  for _ in $(seq 200); do
    n=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -o '"CONNECTED"' | wc -l)
    [ "$n" -ge "$#" ] && break; sleep 0.05
  done
}

# finished_command URL [SERVICE (Gateway)] [ONLY_SELF (false)]: starts SERVICE
# (with its dependencies unless ONLY_SELF) and waits for the end; prints the
# command id (its progress document is the benchmarked one).
finished_command() {
  local url=$1 service=${2:-Gateway} only_self=${3:-false} id
  id=$(curl -s -u "admin:$PASSWORD" -XPOST "$url/web/v1/maintain/cluster/1/service/$service/start" -d "{\"only_self\":$only_self}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  wait_command "$url" "$id"
  echo "$id"
}

# wait_command URL ID: until the command has ended (at most a minute).
wait_command() {
  for _ in $(seq 1200); do
    curl -s -u "admin:$PASSWORD" "$1/web/v1/common/command/$2/progress" | grep -q '"state":"IN_PROGRESS"' || break
    sleep 0.05
  done
}

# rps URL: requests/s of wrk on it, 64 connections, Basic credentials.
rps() {
  wrk -t2 -c64 -d"${DURATION}s" -H "Authorization: Basic $(printf 'admin:%s' "$PASSWORD" | base64)" "$1" \
    | awk '/Requests\/sec/ {print $2}'
}
