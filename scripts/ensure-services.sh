#!/usr/bin/env bash
# Make the services the integration tests need available on this machine:
#   PostgreSQL  127.0.0.1:5432  user postgres, trust auth (no password)
#   RabbitMQ    127.0.0.1:5672  guest/guest
#   /usr/bin/chromium           only with --chromium (Playwright browser specs)
#
# Idempotent: anything already reachable is left alone, so on a machine where both
# servers run this is a fast no-op. Otherwise it installs the Debian packages (if
# missing), starts the servers and waits, bounded, until they accept connections.
# Installing/starting needs root (CI runs as root). Progress and errors go to stderr.
#
# Usage: bash scripts/ensure-services.sh [--chromium]
# Env:   ENSURE_SERVICES_TIMEOUT  seconds to wait for each server to come up (default 120)
set -euo pipefail

WANT_CHROMIUM=0
for arg in "$@"; do
  case "$arg" in
    --chromium) WANT_CHROMIUM=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "ensure-services: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

PG_HOST=127.0.0.1
PG_PORT=5432
AMQP_HOST=127.0.0.1
AMQP_PORT=5672
TIMEOUT="${ENSURE_SERVICES_TIMEOUT:-120}"
export DEBIAN_FRONTEND=noninteractive

log() { echo "ensure-services: $*" >&2; }
die() { echo "ensure-services: ERROR: $*" >&2; exit 1; }

# TCP probe without external tools (bash /dev/tcp), bounded so a black-holed port cannot hang us.
tcp_open() {
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# Reachable AND user postgres gets in without a password. Without psql we can only check the port.
pg_login_ok() {
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql -w -X -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres \
      -tAc 'select 1' </dev/null >/dev/null 2>&1
  else
    pg_ready
  fi
}

amqp_ready() { tcp_open "$AMQP_HOST" "$AMQP_PORT"; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (run this script as root, as CI does)"
}

APT_UPDATED=0
apt_install() {
  need_root "installing $*"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* yourself"
  local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get "${apt_opts[@]}" update -q </dev/null >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  apt-get "${apt_opts[@]}" install -y -q "$@" </dev/null >&2 \
    || die "apt-get install $* failed"
}

# wait_until <what> <function>: poll every second up to $TIMEOUT seconds.
wait_until() {
  local what="$1" fn="$2" start=$SECONDS
  while ! "$fn"; do
    if (( SECONDS - start >= TIMEOUT )); then
      return 1
    fi
    sleep 1
  done
  log "$what is ready ($((SECONDS - start))s)"
}

# ---------------------------------------------------------------- PostgreSQL

pg_version() {
  # highest installed cluster version under /etc/postgresql (e.g. 15)
  ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

pg_server_installed() {
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null 2>&1
}

# Put "trust for postgres on loopback" first in pg_hba.conf (first matching line wins). Returns 0 if changed.
pg_trust_loopback() {
  local hba="$1" marker="# guardian-workstation: trust for tests (scripts/ensure-services.sh)"
  [ -f "$hba" ] || die "pg_hba.conf not found at $hba"
  if grep -qF "$marker" "$hba"; then
    return 1
  fi
  log "adding trust auth for user postgres on 127.0.0.1 to $hba"
  local tmp
  tmp="$(mktemp)"
  {
    echo "$marker"
    echo "host    all    postgres    127.0.0.1/32    trust"
    echo "host    all    postgres    ::1/128         trust"
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba" # keep owner and mode of the original
  rm -f "$tmp"
  return 0
}

ensure_postgres() {
  if pg_ready && pg_login_ok; then
    log "PostgreSQL already reachable on $PG_HOST:$PG_PORT"
    return 0
  fi

  need_root "starting PostgreSQL"
  if ! pg_server_installed; then
    apt_install postgresql
  fi

  local ver
  ver="$(pg_version)"
  if [ -z "$ver" ] || [ ! -d "/etc/postgresql/$ver/main" ]; then
    ver="${ver:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}"
    log "creating PostgreSQL cluster $ver/main"
    pg_createcluster --port "$PG_PORT" "$ver" main >&2 || die "pg_createcluster $ver main failed"
  fi
  local hba="/etc/postgresql/$ver/main/pg_hba.conf"

  if ! pg_ready; then
    log "starting PostgreSQL $ver/main"
    # stdio away from our caller: the server must not hold CI's output pipe open
    if ! pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null >/tmp/ensure-services-pg.log 2>&1; then
      # "already running" is fine; anything else shows up as a timeout below
      cat /tmp/ensure-services-pg.log >&2 || true
    fi
    wait_until "PostgreSQL ($PG_HOST:$PG_PORT)" pg_ready \
      || die "PostgreSQL did not accept connections on $PG_HOST:$PG_PORT within ${TIMEOUT}s; see /var/log/postgresql/postgresql-$ver-main.log and 'pg_lsclusters'"
  fi

  if ! pg_login_ok; then
    if pg_trust_loopback "$hba"; then
      pg_ctlcluster --skip-systemctl-redirect "$ver" main reload </dev/null >&2 || die "reloading PostgreSQL failed"
      local i
      for i in $(seq 1 10); do pg_login_ok && break; sleep 0.5; done
    fi
    pg_login_ok || die "PostgreSQL is up on $PG_HOST:$PG_PORT but user postgres cannot log in without a password; check $hba (is the port served by cluster $ver/main? see 'pg_lsclusters')"
  fi
  log "PostgreSQL ready on $PG_HOST:$PG_PORT (user postgres, trust)"
}

# ---------------------------------------------------------------- RabbitMQ

ensure_rabbitmq() {
  if amqp_ready; then
    log "RabbitMQ already reachable on $AMQP_HOST:$AMQP_PORT"
    return 0
  fi

  need_root "starting RabbitMQ"
  local fresh=0
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    # Containers often have hostnames that do not resolve, which breaks the default node name
    # rabbit@$(hostname). On a fresh install (no node data yet) pin the node to localhost and
    # keep epmd, distribution and AMQP on loopback. Existing installs are left as they are.
    if [ ! -e /etc/rabbitmq/rabbitmq-env.conf ] && [ ! -d /var/lib/rabbitmq/mnesia ]; then
      fresh=1
    fi
    apt_install rabbitmq-server
  fi
  if [ "$fresh" -eq 1 ] && ! amqp_ready && [ ! -e /etc/rabbitmq/rabbitmq-env.conf ]; then
    log "writing /etc/rabbitmq/rabbitmq-env.conf and rabbitmq.conf (node rabbit@localhost, loopback only)"
    mkdir -p /etc/rabbitmq
    cat >/etc/rabbitmq/rabbitmq-env.conf <<'EOF'
NODENAME=rabbit@localhost
ERL_EPMD_ADDRESS=127.0.0.1
export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"
EOF
    [ -e /etc/rabbitmq/rabbitmq.conf ] || echo "listeners.tcp.local = 127.0.0.1:5672" >/etc/rabbitmq/rabbitmq.conf
  fi

  if ! amqp_ready; then
    log "starting RabbitMQ (rabbitmq-server -detached)"
    # stdio away from our caller: the detached node must not hold CI's output pipe open
    if ! rabbitmq-server -detached </dev/null >/tmp/ensure-services-rabbitmq.log 2>&1; then
      cat /tmp/ensure-services-rabbitmq.log >&2 || true
    fi
    wait_until "RabbitMQ ($AMQP_HOST:$AMQP_PORT)" amqp_ready \
      || die "RabbitMQ did not accept connections on $AMQP_HOST:$AMQP_PORT within ${TIMEOUT}s; see /var/log/rabbitmq/ and /tmp/ensure-services-rabbitmq.log"
  fi
  # The listener opens late in boot; this confirms the node itself answers (rabbitmqctl is what
  # test/support/isolation.ts uses to create vhosts). Bounded; a failure here is only a warning.
  if command -v rabbitmq-diagnostics >/dev/null 2>&1; then
    timeout 60 rabbitmq-diagnostics -q check_port_connectivity </dev/null >/dev/null 2>&1 \
      || log "warning: 'rabbitmq-diagnostics check_port_connectivity' failed although port $AMQP_PORT is open"
  fi
  log "RabbitMQ ready on $AMQP_HOST:$AMQP_PORT (guest/guest)"
}

# ---------------------------------------------------------------- Chromium

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    log "chromium present (/usr/bin/chromium)"
    return 0
  fi
  apt_install chromium
  [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is missing"
  log "chromium installed (/usr/bin/chromium)"
}

ensure_postgres
ensure_rabbitmq
if [ "$WANT_CHROMIUM" -eq 1 ]; then
  ensure_chromium
fi
