#!/usr/bin/env bash
# Real Redis and Kafka on loopback for integration tests, without Docker.
#
#   scripts/services.sh start [redis|kafka]   start what is not already answering (idempotent)
#   scripts/services.sh stop  [redis|kafka]   stop what this script started (pid files)
#   scripts/services.sh status                one line per service; exit 0 only when both are up
#   scripts/services.sh restart [redis|kafka] stop, then start
#   scripts/services.sh env                   REDIS_URL=... and KAFKA_BROKERS=... lines
#
# Redis: Debian's redis-server (apt-get installs it when missing), daemonized, no persistence.
# Kafka: the Apache Kafka broker jars from Maven Central, one KRaft node (broker+controller).
# State, data and logs: ${IOTHUB_SERVICES_DIR:-<repo>/.tmp/services}. See docs/dev-services.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${IOTHUB_SERVICES_DIR:-$REPO/.tmp/services}")

HOST=127.0.0.1
REDIS_PORT=6379
KAFKA_PORT=9092
CONTROLLER_PORT=9093

KAFKA_VERSION=${IOTHUB_KAFKA_VERSION:-4.3.1}
SCALA_VERSION=2.13
LOG4J_VERSION=2.25.5
DEPENDENCY_PLUGIN_VERSION=3.8.1
KAFKA_WAIT_SECONDS=${IOTHUB_KAFKA_WAIT_SECONDS:-90}
REDIS_WAIT_SECONDS=15

REDIS_DIR=$STATE/redis
KAFKA_DIR=$STATE/kafka
LIBS=$KAFKA_DIR/libs

say() { printf 'services: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
}

# --- probes ------------------------------------------------------------------------------------

tcp_open() { # host port
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

redis_ping() { # true when 127.0.0.1:6379 answers PING with +PONG
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r line <&3 || exit 1
    [[ $line == "+PONG"* ]]' _ "$HOST" "$REDIS_PORT" 2>/dev/null
}

# pid from a pid file when that process is alive and its command line contains a pattern
live_pid() { # pidfile pattern
  local pid
  [[ -f $1 ]] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  printf '%s\n' "$pid"
}

show_log() { # file [lines]
  if [[ -s $1 ]]; then
    say "last lines of $1:"
    tail -n "${2:-40}" "$1" | sed 's/^/    /' >&2
  else
    say "($1 is empty or missing)"
  fi
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# --- redis -------------------------------------------------------------------------------------

ensure_redis_server() {
  command -v redis-server >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "redis-server is not installed and apt-get is not available"
  mkdir -p "$STATE"
  local log=$STATE/apt.log
  say "redis: redis-server not found; installing it with apt-get (log: $log)"
  if ! { as_root apt-get update \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server; } \
    >"$log" 2>&1; then
    show_log "$log" 20
    die "redis: apt-get install redis-server failed"
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis: redis-server still not on PATH after apt-get install"
}

start_redis() {
  local pid
  if redis_ping; then
    if pid=$(live_pid "$REDIS_DIR/redis.pid" redis-server); then
      say "redis: already running on $HOST:$REDIS_PORT (pid $pid)"
    else
      say "redis: $HOST:$REDIS_PORT already answers PING (not started by this script); using it"
    fi
    return 0
  fi
  ensure_redis_server
  mkdir -p "$REDIS_DIR/data"
  rm -f "$REDIS_DIR/redis.pid"
  cat >"$REDIS_DIR/redis.conf" <<EOF
# written by scripts/services.sh; rewritten on every start
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile "$REDIS_DIR/redis.pid"
logfile "$REDIS_DIR/redis.log"
dir "$REDIS_DIR/data"
save ""
appendonly no
databases 16
EOF
  say "redis: starting $(redis-server --version | grep -o 'v=[^ ]*' || true) on $HOST:$REDIS_PORT"
  local seen=0
  [[ -f $REDIS_DIR/redis.log ]] && seen=$(wc -l <"$REDIS_DIR/redis.log")
  # 9>&-: the daemon must not inherit the lock held by this script
  if ! redis-server "$REDIS_DIR/redis.conf" >>"$REDIS_DIR/redis.log" 2>&1 9>&-; then
    show_log "$REDIS_DIR/redis.log"
    die "redis: redis-server exited with an error"
  fi
  local deadline=$((SECONDS + REDIS_WAIT_SECONDS))
  until redis_ping; do
    # the daemonized server reports a failed bind or a bad config only in its log
    if tail -n +$((seen + 1)) "$REDIS_DIR/redis.log" 2>/dev/null | grep -qE 'aborting|FATAL|Fatal'; then
      show_log "$REDIS_DIR/redis.log" 10
      die "redis: redis-server could not start"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$REDIS_DIR/redis.log"
      die "redis: no PONG on $HOST:$REDIS_PORT after ${REDIS_WAIT_SECONDS}s"
    fi
    sleep 0.2
  done
  say "redis: up on $HOST:$REDIS_PORT (pid $(cat "$REDIS_DIR/redis.pid" 2>/dev/null || echo '?'), log $REDIS_DIR/redis.log)"
}

# --- kafka -------------------------------------------------------------------------------------

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "kafka: java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  fi
}

check_java() {
  local java major
  java=$(java_bin)
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [[ -n $major && $major -ge 17 ]] || die "kafka: $java is Java ${major:-?}; the Kafka $KAFKA_VERSION broker needs Java 17+"
}

write_pom() { # the throwaway project whose runtime dependencies are the broker, its CLI tools and a log4j2 binding
  cat >"$KAFKA_DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- written by scripts/services.sh: only used to copy the Kafka jars into libs/ -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.iothub</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_VERSION</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- CLI classes (TopicCommand, ConsoleProducer, ConsoleConsumer, ...); Connect is not needed -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion>
        <exclusion><groupId>com.fasterxml.jackson.jakarta.rs</groupId><artifactId>*</artifactId></exclusion>
      </exclusions>
    </dependency>
    <!-- the broker logs through slf4j 1.7; the distribution binds it to log4j2 -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>$DEPENDENCY_PLUGIN_VERSION</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
EOF
}

ensure_kafka_libs() {
  mkdir -p "$KAFKA_DIR"
  write_pom
  local want have=''
  want=$(sha256sum "$KAFKA_DIR/pom.xml" | cut -d' ' -f1)
  [[ -f $LIBS/.complete ]] && have=$(cat "$LIBS/.complete")
  if [[ $have == "$want" ]] && compgen -G "$LIBS/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "kafka: mvn not found; it is needed once to fetch the Kafka jars"
  local log=$KAFKA_DIR/mvn.log
  say "kafka: fetching org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION and its runtime dependencies with Maven (first run only; log: $log)"
  rm -rf "$LIBS.partial"
  if ! mvn -B -ntp -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.partial" >"$log" 2>&1; then
    show_log "$log" 30
    die "kafka: Maven could not fetch the Kafka jars"
  fi
  [[ -f $LIBS.partial/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar ]] || die "kafka: Maven ran but kafka_$SCALA_VERSION-$KAFKA_VERSION.jar is missing (see $log)"
  printf '%s\n' "$want" >"$LIBS.partial/.complete"
  rm -rf "$LIBS"
  mv "$LIBS.partial" "$LIBS"
  say "kafka: $(find "$LIBS" -name '*.jar' | wc -l) jars cached in $LIBS"
}

write_kafka_config() {
  mkdir -p "$KAFKA_DIR/logs" "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# written by scripts/services.sh; rewritten on every start
# one KRaft node that is both broker and controller, on loopback only
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=4
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF
  cat >"$KAFKA_DIR/log4j2.properties" <<'EOF'
# written by scripts/services.sh: the broker logs to a file, not the console
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

format_kafka_storage() {
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  local java id log=$KAFKA_DIR/logs/format.log
  java=$(java_bin)
  if [[ ! -s $KAFKA_DIR/cluster.id ]]; then
    id=$("$java" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$log" | tail -n1) \
      || { show_log "$log"; die "kafka: StorageTool random-uuid failed"; }
    [[ -n $id ]] || die "kafka: StorageTool random-uuid printed nothing"
    printf '%s\n' "$id" >"$KAFKA_DIR/cluster.id"
  fi
  id=$(cat "$KAFKA_DIR/cluster.id")
  say "kafka: formatting storage in $KAFKA_DIR/data (cluster id $id)"
  if ! "$java" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" >>"$log" 2>&1; then
    show_log "$log"
    die "kafka: StorageTool format failed"
  fi
}

show_kafka_failure() { # the first errors (with the exception line after each), then the tail
  local log=$KAFKA_DIR/logs/server.log
  if grep -qE '\] (ERROR|FATAL) ' "$log" 2>/dev/null; then
    say "errors in $log:"
    grep -A1 -E '\] (ERROR|FATAL) ' "$log" | grep -v '^--$' | head -n 12 | cut -c1-400 | sed 's/^/    /' >&2
  fi
  show_log "$log" 25
  [[ -s $KAFKA_DIR/logs/stdout.log ]] && show_log "$KAFKA_DIR/logs/stdout.log" 20
  return 0
}

wait_kafka() { # pid
  local pid=$1 deadline=$((SECONDS + KAFKA_WAIT_SECONDS))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_kafka_failure
      rm -f "$KAFKA_DIR/kafka.pid"
      die "kafka: the broker (pid $pid) exited during startup"
    fi
    if tcp_open "$HOST" "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_DIR/logs/server.log" 2>/dev/null; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      show_kafka_failure
      die "kafka: $HOST:$KAFKA_PORT not ready after ${KAFKA_WAIT_SECONDS}s (broker pid $pid is still running; 'stop' ends it)"
    fi
    sleep 0.5
  done
}

start_kafka() {
  local pid
  if pid=$(live_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka); then
    if tcp_open "$HOST" "$KAFKA_PORT"; then
      say "kafka: already running on $HOST:$KAFKA_PORT (pid $pid)"
      return 0
    fi
    say "kafka: broker pid $pid is starting; waiting for $HOST:$KAFKA_PORT"
    wait_kafka "$pid"
    say "kafka: up on $HOST:$KAFKA_PORT (pid $pid)"
    return 0
  fi
  if tcp_open "$HOST" "$KAFKA_PORT"; then
    say "kafka: $HOST:$KAFKA_PORT already reachable (not started by this script); using it"
    return 0
  fi
  check_java
  ensure_kafka_libs
  write_kafka_config
  format_kafka_storage
  local java
  java=$(java_bin)
  # a fresh server.log per start, so readiness is read from this run only
  for f in server.log stdout.log; do
    [[ -f $KAFKA_DIR/logs/$f ]] && mv -f "$KAFKA_DIR/logs/$f" "$KAFKA_DIR/logs/$f.prev"
  done
  say "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft, broker+controller) on $HOST:$KAFKA_PORT"
  # setsid: the broker outlives this shell and the caller's process group; $! is the java pid;
  # 9>&-: it must not inherit the lock held by this script
  setsid "$java" -Xmx512m -Xms256m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -cp "$LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" \
    </dev/null >"$KAFKA_DIR/logs/stdout.log" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$KAFKA_DIR/kafka.pid"
  wait_kafka "$pid"
  say "kafka: up on $HOST:$KAFKA_PORT (pid $pid, log $KAFKA_DIR/logs/server.log)"
}

# --- stop / status -----------------------------------------------------------------------------

stop_pid() { # name pidfile pattern grace_seconds
  local name=$1 pidfile=$2 pattern=$3 grace=$4 pid
  if ! pid=$(live_pid "$pidfile" "$pattern"); then
    rm -f "$pidfile"
    say "$name: nothing to stop (no running process started by this script)"
    return 0
  fi
  say "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "$name: still running after ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  say "$name: stopped"
}

status() {
  local ok=0
  if redis_ping; then echo "redis up $HOST:$REDIS_PORT"; else echo "redis down"; ok=1; fi
  if tcp_open "$HOST" "$KAFKA_PORT"; then echo "kafka up $HOST:$KAFKA_PORT"; else echo "kafka down"; ok=1; fi
  return $ok
}

with_lock() { # serialize concurrent start/stop calls (e.g. parallel test workers)
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 300 9 || die "another services.sh start/stop holds $STATE/.lock"
  fi
}

services_from_args() { # no argument: both
  if (($# == 0)); then
    echo redis kafka
    return
  fi
  local s
  for s in "$@"; do
    case $s in redis | kafka) ;; *) die "unknown service '$s' (redis or kafka)" ;; esac
  done
  echo "$@"
}

main() {
  local cmd=${1:-} s
  shift || true
  case $cmd in
  start)
    local list
    list=$(services_from_args "$@")
    with_lock
    for s in $list; do "start_$s"; done
    ;;
  stop)
    local list
    list=$(services_from_args "$@")
    with_lock
    for s in $list; do
      case $s in
      redis) stop_pid redis "$REDIS_DIR/redis.pid" redis-server 15 ;;
      kafka) stop_pid kafka "$KAFKA_DIR/kafka.pid" kafka.Kafka 60 ;;
      esac
    done
    ;;
  restart)
    bash "${BASH_SOURCE[0]}" stop "$@"
    bash "${BASH_SOURCE[0]}" start "$@"
    ;;
  status) status ;;
  env)
    echo "REDIS_URL=redis://$HOST:$REDIS_PORT"
    echo "KAFKA_BROKERS=$HOST:$KAFKA_PORT"
    ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 2
    ;;
  esac
}

main "$@"
