#!/usr/bin/env bash
# A local OpenSearch node for development: `make opensearch` / `make opensearch-stop`.
#
#   searchnode/node.sh start   # one node on 127.0.0.1:$OPENSEARCH_PORT (9200), data in var/opensearch/
#   searchnode/node.sh stop    # SIGTERM, then wait until it has closed
#
# start returns once the cluster is green (or at once if the node already runs) and fails, with
# the node's log, when it cannot start. The heap is small (OPENSEARCH_HEAP, 512m) on purpose.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$ROOT/searchnode/target/searchnode.jar
DIR=$ROOT/var/opensearch
PORT=${OPENSEARCH_PORT:-9200}
HEAP=${OPENSEARCH_HEAP:-512m}
PIDFILE=$DIR/node.pid

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  [[ -f $JAR ]] || { echo "node.sh: $JAR missing; run 'make searchnode'" >&2; exit 1; }
  if running; then
    echo "OpenSearch already running (pid $(cat "$PIDFILE")): $(cat "$DIR/ready" 2>/dev/null)"
    return
  fi
  mkdir -p "$DIR"
  rm -f "$DIR/ready"
  # Transport sits 100 above HTTP, so OPENSEARCH_PORT alone moves both out of another node's way.
  nohup java "-Xms$HEAP" "-Xmx$HEAP" -jar "$JAR" --data "$DIR" --http-port "$PORT" \
    --transport-port $((PORT + 100)) --ready-file "$DIR/ready" >"$DIR/node.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 180); do
    if [[ -f $DIR/ready ]]; then
      echo "OpenSearch $(cat "$DIR/ready") (pid $(cat "$PIDFILE"), log $DIR/node.log)"
      return
    fi
    running || break
    sleep 1
  done
  tail -40 "$DIR/node.log" >&2
  echo "node.sh: OpenSearch did not start on port $PORT" >&2
  stop
  exit 1
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    echo "OpenSearch stopped (pid $pid)"
  fi
  rm -f "$PIDFILE" "$DIR/ready"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
