#!/usr/bin/env bash
# Starts and stops one service of HOSTS x PER_HOST real /bin/sleep instances
# (process check) on HOSTS real agents, and the same for 10 hosts x 10 as the
# baseline in the same run, so that the ratio shows whether time grows
# linearly with the work.
# When Ansible is installed (ANSIBLE=/path/to/ansible, or `ansible` on PATH),
# the same run also times RUNS ad-hoc `ansible all -f 50 -m command -a true`
# over HOSTS hosts with ansible_connection=local, the tool operators script
# with today; without it, that case is skipped with a note.
# Usage: Benchmarks/scale.sh BIN [HOSTS (100)] [PER_HOST (10)] [RUNS (3)]
set -euo pipefail
BIN=$(realpath "$1"); HOSTS=${2:-100}; PER_HOST=${3:-10}; RUNS=${4:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
# A manager holds a connection or two per agent, and each instance has files.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# measure NAME HOSTS PER_HOST: one cluster, RUNS start/stop pairs, then its end.
measure() {
  local name=$1 hosts=$2 per=$3 dir=$WORK/$1 list=()
  mkdir -p "$dir"
  python3 "$HERE/scale_stack.py" "$hosts" "$per" > "$dir/stack.json"
  for i in $(seq "$hosts"); do list+=("host-$i"); done
  local t0=$SECONDS
  start_cluster "$BIN" "$dir" "$dir/stack.json" $((RANDOM % 20000 + 1000)) "${list[@]}"
  # start_cluster gives up after 10 s; 100 agents on 2 cores may need longer.
  for _ in $(seq 600); do
    n=$(curl -s -u "admin:$PASSWORD" "$URL/web/v1/cluster/1/hosts" | grep -o '"CONNECTED"' | wc -l)
    [ "$n" -ge "$hosts" ] && break; sleep 0.1
  done
  echo "# $name: $n of $hosts hosts connected after $((SECONDS - t0)) s" >&2
  local out perf=
  # SCALE_PERF=FILE: a perf profile of the manager over the scale case's runs;
  # SCALE_PERF_AGENTS=FILE: a system-wide one, with the agents' pids in FILE.pids
  # (perf report --pid "$(cat FILE.pids)" shows the agents alone).
  if [ -n "${SCALE_PERF:-}" ] && [ "$name" = scale ]; then
    perf record -q -F 499 -g -p "$MANAGER" -o "$SCALE_PERF" > /dev/null 2>&1 & perf=$!
  elif [ -n "${SCALE_PERF_AGENTS:-}" ] && [ "$name" = scale ]; then
    (IFS=,; echo "${PIDS[*]:1}") > "$SCALE_PERF_AGENTS.pids"
    perf record -q -F 199 -g -a -o "$SCALE_PERF_AGENTS" > /dev/null 2>&1 & perf=$!
  fi
  # PIDS holds the manager, then the agents, of this cluster only.
  out=$(MANAGER_PID=$MANAGER AGENT_PIDS="${PIDS[*]:1}" python3 "$HERE/scale_run.py" "$URL" admin "$PASSWORD" Sleepers "$RUNS")
  if [ -n "$perf" ]; then kill -INT "$perf"; wait "$perf" || true; fi
  echo "{\"case\": \"$name\", \"hosts\": $hosts, \"instances\": $((hosts * per)), \"result\": $out}"
  [ -n "${SCALE_LOGS:-}" ] && cp "$dir/manager.log" "$SCALE_LOGS.$name.log"
  cleanup
}

# ansible_baseline HOSTS: RUNS timed ad-hoc runs of `command: true` on HOSTS local hosts.
ansible_baseline() {
  local hosts=$1 ansible=${ANSIBLE:-$(command -v ansible || true)}
  if [ -z "$ansible" ] || [ ! -x "$ansible" ]; then
    echo "# ansible: not installed (pip install ansible-core, then ANSIBLE=/path/to/ansible), skipped" >&2
    return
  fi
  local dir=$WORK/ansible
  mkdir -p "$dir"
  { echo "[all]"; for i in $(seq "$hosts"); do echo "host-$i"; done
    echo "[all:vars]"; echo "ansible_connection=local"
    # The controller's own Python: discovery may find an interpreter that does not run (a pyenv shim).
    echo "ansible_python_interpreter={{ ansible_playbook_python }}"; } > "$dir/hosts.ini"
  echo "# ansible: $("$ansible" --version 2>/dev/null | sed -n 1p)" >&2
  ANSIBLE_LOCAL_TEMP=$dir/tmp ANSIBLE_HOME=$dir/home python3 - "$ansible" "$dir/hosts.ini" "$hosts" "$RUNS" <<'PY'
import json, subprocess, sys, time
ansible, inventory, hosts, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
wall = []
for _ in range(runs):
    t0 = time.perf_counter()
    out = subprocess.run([ansible, "all", "-i", inventory, "-f", "50", "-m", "command", "-a", "true"],
                         capture_output=True, text=True)
    wall.append(round(time.perf_counter() - t0, 3))
    ok = out.stdout.count("| CHANGED | rc=0")
    assert out.returncode == 0 and ok == hosts, f"rc {out.returncode}, {ok} of {hosts} hosts ok: {out.stderr[-2000:]}"
print(json.dumps({"case": "ansible", "hosts": hosts, "forks": 50, "result": {"run_s": wall}}))
PY
}

measure baseline 10 10
measure scale "$HOSTS" "$PER_HOST"
ansible_baseline "$HOSTS"
