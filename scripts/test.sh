#!/usr/bin/env bash
# Runs the whole test suite with the race detector, against the in-process
# fakes and the real Mastra test server. The server (Node 22 and the pinned
# npm packages) is installed on first use and started on a free port on
# 127.0.0.1, unless MASTRA_TEST_BASE_URL already points at one.
#
# Usage: scripts/test.sh [go test flags...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${MASTRA_TEST_BASE_URL:-}" ]; then
  if url_line="$(scripts/mastra-server.sh status 2>/dev/null)"; then
    echo "test: reusing the running Mastra test server" >&2
  else
    url_line="$(scripts/mastra-server.sh start | tail -n1)"
    trap 'scripts/mastra-server.sh stop >/dev/null 2>&1 || true' EXIT
  fi
  case "$url_line" in
    MASTRA_TEST_BASE_URL=http://127.0.0.1:*) export "${url_line?}" ;;
    http://127.0.0.1:*) export MASTRA_TEST_BASE_URL="$url_line" ;;
    *) echo "test: could not get the Mastra test server's URL (got: $url_line)" >&2; exit 1 ;;
  esac
fi
echo "test: Mastra test server at $MASTRA_TEST_BASE_URL" >&2

# A missing real server is a failure, not a skip.
export MASTRA_REQUIRE_SERVER=1
go test -race -count=1 "$@" ./...
