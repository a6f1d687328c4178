#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) without Docker.
#
#   kafka.sh up      resolve the jars with Maven (cached outside git), format storage once, start the
#                    broker on 127.0.0.1:9092 (PLAINTEXT) and 127.0.0.1:9094 (SASL_PLAINTEXT) and
#                    wait until both answer; reuse a broker already there
#   kafka.sh down    stop the broker this script started (by its recorded pid)
#   kafka.sh status  say whether a broker answers and whether it is ours
#   kafka.sh reset   down, then delete the broker's data (topics, offsets, transactions)
#
# The SASL listener accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for one local test user,
# govern / govern-local-only. These credentials are public and for this loopback listener only: they
# let tests exercise the client's SASL path against a real broker. Never reuse them anywhere else.
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_SASL_PORT (9094), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (<project>/var/kafka), KAFKA_JARS_DIR (~/.cache/consent-governance/kafka-<version>),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx1g), KAFKA_START_TIMEOUT seconds (120).
#
# Storage formatted by an older kafka.sh (before the SASL listener) is kept: the next start adds the
# SCRAM credentials to it once. A broker still running from an older kafka.sh has no SASL listener
# until it is restarted (down, then up).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/../.." && pwd)"
kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
sasl_port="${KAFKA_SASL_PORT:-9094}"
data_dir="${KAFKA_DATA_DIR:-$project/var/kafka}"
jars_dir="${KAFKA_JARS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/consent-governance/kafka-$kafka_version}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
start_timeout="${KAFKA_START_TIMEOUT:-120}"
pid_file="$data_dir/broker.pid"
log_file="$data_dir/logs/server.log"
props_file="$data_dir/server.properties"
# The local test user (libs/testing uses the same pair). See the header: public, local-only.
sasl_user="govern"
sasl_password="govern-local-only"
# Records which SCRAM credentials this storage holds, so they are added once, not on every start.
scram_marker="$data_dir/scram-users"

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

# The SASL listener accepts the local test user with the given mechanism (plain, scram-sha-256, ...).
sasl_accepts() {
  KAFKA_PROBE_SASL_MECHANISM="$1" KAFKA_PROBE_SASL_USERNAME="$sasl_user" \
    KAFKA_PROBE_SASL_PASSWORD="$sasl_password" \
    node "$here/kafka-probe.js" "127.0.0.1:$sasl_port" >/dev/null 2>&1
}

# A broker started before the SASL listener existed keeps running without it: say how to get it.
warn_without_sasl() {
  if ! port_open "$sasl_port"; then
    say "note: nothing listens on 127.0.0.1:$sasl_port (SASL); a broker started by an older kafka.sh has no"
    say "      SASL listener: 'kafka.sh down' then 'kafka.sh up' restarts it with one (data is kept)"
  fi
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
  # consumer group starts at once. PLAIN checks passwords against the JAAS line below; SCRAM
  # against credentials stored in the cluster metadata (see format_storage and add_scram_users).
  cat >"$props_file" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$sasl_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$sasl_user="$sasl_password";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
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

# Runs a Kafka tool class from the jars, its log into the broker's log directory.
kafka_tool() {
  java -cp "$(classpath)" -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -Dkafka.logs.dir="$data_dir/logs" "$@"
}

scram_credential() { echo "$1=[name=$sasl_user,password=$sasl_password]"; }

# What the marker holds: the storage's cluster id and the user, so a reformatted storage or another
# user adds the credentials again.
scram_marker_content() {
  local cluster_id
  cluster_id="$(sed -n 's/^cluster.id=//p' "$data_dir/data/meta.properties" 2>/dev/null)"
  echo "cluster=$cluster_id user=$sasl_user mechanisms=SCRAM-SHA-256,SCRAM-SHA-512"
}

format_storage() {
  if [ -f "$data_dir/data/meta.properties" ]; then return 0; fi
  local cluster_id
  cluster_id="$(java -cp "$(classpath)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [ -n "$cluster_id" ] || die "could not generate a cluster id with kafka.tools.StorageTool"
  say "formatting KRaft storage in $data_dir/data (cluster $cluster_id, SCRAM user $sasl_user)"
  kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$props_file" \
    --add-scram "$(scram_credential SCRAM-SHA-256)" --add-scram "$(scram_credential SCRAM-SHA-512)" \
    >>"$data_dir/logs/format.log" 2>&1 \
    || die "formatting storage failed; see $data_dir/logs/format.log"
  scram_marker_content >"$scram_marker"
}

# Storage formatted before the SASL listener existed has no SCRAM credentials: add them on the
# running broker (over PLAINTEXT, as the format step would have), once.
add_scram_users() {
  if [ "$(cat "$scram_marker" 2>/dev/null)" = "$(scram_marker_content)" ]; then return 0; fi
  say "adding SCRAM credentials for $sasl_user to the existing storage"
  local mechanism
  # One mechanism per call: Kafka 4.1 refuses two credentials of one user in a single request.
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    kafka_tool kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$port" --alter \
      --entity-type users --entity-name "$sasl_user" --add-config "$mechanism=[password=$sasl_password]" \
      >>"$data_dir/logs/users.log" 2>&1 \
      || die "adding the $mechanism credentials failed; see $data_dir/logs/users.log"
  done
  scram_marker_content >"$scram_marker"
}

# Every mechanism accepts the test user (SCRAM credentials reach the listener a moment after they
# are written).
wait_for_sasl() {
  local deadline=$(( $(date +%s) + 30 )) mechanism
  for mechanism in plain scram-sha-256 scram-sha-512; do
    until sasl_accepts "$mechanism"; do
      [ "$(date +%s)" -lt "$deadline" ] \
        || die "the SASL listener on 127.0.0.1:$sasl_port refuses $sasl_user with $mechanism; see $log_file"
      sleep 0.5
    done
  done
}

up() {
  if pid="$(our_pid)"; then
    if speaks_kafka; then
      say "already running (pid $pid) on 127.0.0.1:$port"
      warn_without_sasl
      if port_open "$sasl_port"; then add_scram_users && wait_for_sasl; fi
      return 0
    fi
  fi
  if port_open "$port"; then
    if speaks_kafka; then
      say "a Kafka broker already answers on 127.0.0.1:$port; reusing it"
      warn_without_sasl
      return 0
    fi
    die "port $port on 127.0.0.1 is taken by something that is not a Kafka broker; free it or set KAFKA_PORT"
  fi
  if port_open "$controller_port"; then
    die "controller port $controller_port on 127.0.0.1 is taken; free it or set KAFKA_CONTROLLER_PORT"
  fi
  if port_open "$sasl_port"; then
    die "SASL port $sasl_port on 127.0.0.1 is taken; free it or set KAFKA_SASL_PORT"
  fi
  resolve_jars
  write_properties
  format_storage
  say "starting Apache Kafka $kafka_version on 127.0.0.1:$port, SASL on 127.0.0.1:$sasl_port (log: $log_file)"
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
  add_scram_users
  wait_for_sasl
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
  if sasl_accepts scram-sha-512; then
    say "its SASL listener on 127.0.0.1:$sasl_port accepts the local test user"
  else
    say "no SASL listener accepts the local test user on 127.0.0.1:$sasl_port"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reset) down; rm -rf "$data_dir"; say "data removed" ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
