#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) without Docker.
#
#   kafka.sh up      resolve the jars with Maven (cached outside git), format storage once, start the
#                    broker on 127.0.0.1:9092 and wait until it answers; reuse a broker already there
#   kafka.sh down    stop the broker this script started (by its recorded pid)
#   kafka.sh status  say whether a broker answers and whether it is ours
#   kafka.sh reset   down, then delete the broker's data (topics, offsets, transactions)
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR
# (<project>/var/kafka), KAFKA_JARS_DIR (~/.cache/consent-governance/kafka-<version>),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx1g), KAFKA_START_TIMEOUT seconds (120).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
data_dir="${KAFKA_DATA_DIR:-$project/var/kafka}"
jars_dir="${KAFKA_JARS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/consent-governance/kafka-$kafka_version}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
start_timeout="${KAFKA_START_TIMEOUT:-120}"
pid_file="$data_dir/broker.pid"
log_file="$data_dir/logs/server.log"
props_file="$data_dir/server.properties"

say() { printf '[kafka] %s\n' "$*"; }
die() { printf '[kafka] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

our_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Asks the listener for its cluster metadata with the project's own client: a Kafka broker answers,
# anything else (or nothing) does not.
speaks_kafka() {
  node "$here/kafka-probe.js" "127.0.0.1:$port" >/dev/null 2>&1
}

resolve_jars() {
  if [ -f "$jars_dir/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars; install Maven and Java 17, or use 'docker compose up'."
  command -v java >/dev/null || die "Java 17+ is needed to run the broker."
  say "resolving Apache Kafka $kafka_version jars with Maven into $jars_dir"
  mkdir -p "$jars_dir"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$jars_dir/libs" \
    || die "Maven could not resolve org.apache.kafka:kafka_2.13:$kafka_version (see output above)"
  touch "$jars_dir/.complete"
}

write_properties() {
  mkdir -p "$data_dir/logs" "$data_dir/data"
  # Single node: every internal topic has replication factor 1 and min ISR 1, otherwise consumer
  # groups and transactions never become available. No initial rebalance delay, so a test's
  # consumer group starts at once.
  cat >"$props_file" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data_dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

classpath() { echo "$jars_dir/libs/*"; }

format_storage() {
  if [ -f "$data_dir/data/meta.properties" ]; then return 0; fi
  local cluster_id
  cluster_id="$(java -cp "$(classpath)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [ -n "$cluster_id" ] || die "could not generate a cluster id with kafka.tools.StorageTool"
  say "formatting KRaft storage in $data_dir/data (cluster $cluster_id)"
  java -cp "$(classpath)" -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -Dkafka.logs.dir="$data_dir/logs" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$props_file" >>"$data_dir/logs/format.log" 2>&1 \
    || die "formatting storage failed; see $data_dir/logs/format.log"
}

up() {
  if pid="$(our_pid)"; then
    if speaks_kafka; then say "already running (pid $pid) on 127.0.0.1:$port"; return 0; fi
  fi
  if port_open "$port"; then
    if speaks_kafka; then
      say "a Kafka broker already answers on 127.0.0.1:$port; reusing it"
      return 0
    fi
    die "port $port on 127.0.0.1 is taken by something that is not a Kafka broker; free it or set KAFKA_PORT"
  fi
  if port_open "$controller_port"; then
    die "controller port $controller_port on 127.0.0.1 is taken; free it or set KAFKA_CONTROLLER_PORT"
  fi
  resolve_jars
  write_properties
  format_storage
  say "starting Apache Kafka $kafka_version on 127.0.0.1:$port (log: $log_file)"
  local started
  started=$(date +%s%N)
  # shellcheck disable=SC2086
  nohup java $heap_opts -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$data_dir/logs" \
    -cp "$(classpath)" kafka.Kafka "$props_file" >"$data_dir/logs/stdout.log" 2>&1 &
  echo $! >"$pid_file"
  local deadline=$(( $(date +%s) + start_timeout ))
  until speaks_kafka; do
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      tail -n 30 "$data_dir/logs/stdout.log" "$log_file" 2>/dev/null >&2 || true
      die "the broker exited during start-up; see $log_file"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || die "the broker did not answer within ${start_timeout}s; see $log_file"
    sleep 0.5
  done
  say "ready after $(( ($(date +%s%N) - started) / 1000000 )) ms (pid $(cat "$pid_file"))"
}

down() {
  local pid
  if ! pid="$(our_pid)"; then say "no broker started by this project is running"; rm -f "$pid_file"; return 0; fi
  say "stopping broker (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; say "stopped"; return 0; }
    sleep 0.5
  done
  say "broker did not stop within 30s; killing pid $pid"
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

status() {
  if pid="$(our_pid)"; then say "running (pid $pid, ours)"; fi
  if speaks_kafka; then say "a broker answers on 127.0.0.1:$port"; else say "no broker answers on 127.0.0.1:$port"; return 1; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down; rm -rf "$data_dir"; say "data removed" ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
