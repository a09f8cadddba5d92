#!/usr/bin/env bash
# ServiceHub: the two commands of the README.
#   ./servicehub.sh run    private PostgreSQL cluster (reused), migrations, demo data, app on http://127.0.0.1:5080
#   ./servicehub.sh test   throw-away cluster, every test, closing line "N passed, N failed"
# With ConnectionStrings__ServiceHub set, both use that server and start no cluster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
APP_URL=${SERVICEHUB_URL:-http://127.0.0.1:5080}

log() { printf '\033[1;34m[servicehub]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[servicehub]\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself (Debian/Ubuntu packages)."
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_postgres() {
  if [ -z "$(pg_bindir)" ] || [ ! -x "$(pg_bindir)/initdb" ]; then apt_install postgresql postgresql-contrib; fi
  PGBIN=$(pg_bindir)
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL server binaries not found after install."
}

ensure_dotnet() { command -v dotnet >/dev/null || die "The .NET 10 SDK is required (dotnet not on PATH)."; }

# initdb refuses root: as root the cluster belongs to 'postgres' and lives where that user can enter.
run_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }

# start_cluster DIR  → sets PGPORT, PGDIR; creates the cluster if new, starts it if stopped.
start_cluster() {
  PGDIR=$1
  mkdir -p "$PGDIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGDIR"; chmod 700 "$PGDIR"; fi
  if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
    log "creating PostgreSQL cluster in $PGDIR"
    run_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --locale=C.UTF-8 --encoding=UTF8 >"$PGDIR/initdb.log" 2>&1 \
      || { cat "$PGDIR/initdb.log" >&2; die "initdb failed"; }
  fi
  if run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
    PGPORT=$(cat "$PGDIR/port")
    log "PostgreSQL already running on port $PGPORT"
    return
  fi
  local want; want=$(cat "$PGDIR/port" 2>/dev/null || echo 55432)
  local attempt
  for attempt in 1 2 3 4 5; do
    PGPORT=$(free_port "$want")
    run_pg sh -c "echo $PGPORT > '$PGDIR/port'"
    if run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on}" start >/dev/null; then
      log "PostgreSQL listening on 127.0.0.1:$PGPORT"
      return
    fi
    # Another command (an engineer's parallel test run) took the port between the check and the start: the next one.
    grep -q "Address already in use" "$PGDIR/postgres.log" 2>/dev/null || break
    want=$((PGPORT + 1))
  done
  tail -n 20 "$PGDIR/postgres.log" >&2
  die "PostgreSQL did not start"
}

stop_cluster() {
  [ -n "${PGDIR:-}" ] || return 0
  run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

cluster_base() {
  if [ "$(id -u)" -eq 0 ]; then
    echo "${TMPDIR:-/tmp}/servicehub-$(printf '%s' "$ROOT" | md5sum | cut -c1-10)"
  else
    echo "$ROOT/.data"
  fi
}

ensure_database() { # NAME
  local psql="$PGBIN/psql -h 127.0.0.1 -p $PGPORT -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA"
  if [ "$($psql -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" != "1" ]; then
    $psql -c "CREATE DATABASE \"$1\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" >/dev/null
  fi
}

print_accounts() {
  cat >&2 <<'ACCOUNTS'

  Demo accounts (password for all: ServiceHub2026)
    admin         系统管理员  administrator
    agent         王丽        hotline / front-desk agent (客户服务部)
    supervisor    陈静        CS supervisor
    csmanager     黄海燕      manager of 客户服务部 (also CS supervisor)
    returnvisit   周婷        return-visit team (lead of 客户服务部)
    handler       刘强        handler, 物业公司
    pmmanager     张建国      manager, 物业公司
    enghandler    孙伟        handler, 工程部
    engmanager    李志刚      manager, 工程部
    hr            吴芳        HR inspector
    leader        郑国华      leadership (supervising VP of 物业公司, 工程部)
    vp            钱明远      leadership (supervising VP of the other departments)

ACCOUNTS
}

cmd_run() {
  ensure_dotnet
  if [ -z "${ConnectionStrings__ServiceHub:-}" ]; then
    ensure_postgres
    start_cluster "$(cluster_base)/pg"
    trap stop_cluster EXIT
    trap 'exit 130' INT TERM
    ensure_database servicehub
    export ConnectionStrings__ServiceHub="Host=127.0.0.1;Port=$PGPORT;Database=servicehub;Username=postgres"
  else
    log "using the database of ConnectionStrings__ServiceHub"
  fi
  log "building"
  dotnet build ServiceHub.App -c Release -v q -nologo >/dev/null || dotnet build ServiceHub.App -c Release -nologo
  print_accounts
  log "ServiceHub on $APP_URL  (Ctrl+C stops the app and the database)"
  set +e
  # The built app itself (not `dotnet run`, which outlives a Ctrl+C); content root is the project for wwwroot.
  ServiceHub__SeedDemo=true ServiceHub__SeedDemoHistory=${SERVICEHUB_DEMO_HISTORY:-true} ASPNETCORE_URLS="$APP_URL" ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} \
    dotnet "$ROOT/ServiceHub.App/bin/Release/net10.0/ServiceHub.App.dll" --contentRoot "$ROOT/ServiceHub.App"
  local rc=$?
  set -e
  return $rc
}

ensure_test_prereqs() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

cmd_test() {
  ensure_dotnet
  ensure_test_prereqs
  work=$(mktemp -d "${TMPDIR:-/tmp}/servicehub-test.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then chmod 755 "$work"; fi
  if [ -z "${ConnectionStrings__ServiceHub:-}" ]; then
    ensure_postgres
    PG_FSYNC=off start_cluster "$work/pg"
    trap 'stop_cluster; rm -rf "$work"' EXIT
    export SERVICEHUB_TEST_SERVER="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
  else
    log "using the server of ConnectionStrings__ServiceHub (tests create and drop their own databases)"
    export SERVICEHUB_TEST_SERVER="$ConnectionStrings__ServiceHub"
    trap 'rm -rf "$work"' EXIT
  fi
  log "building"
  dotnet build ServiceHub.sln -c Release -v q -nologo >/dev/null || { dotnet build ServiceHub.sln -c Release -nologo; exit 1; }
  log "running the tests"
  set +e
  dotnet test ServiceHub.sln -c Release --no-build -nologo --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
    --results-directory "$work/results" "$@" 2>&1 | tee "$work/test.log" | grep -E '^\s*(Failed|Passed|Skipped) |error|Error Message|Total tests|Passed!|Failed!' | grep -v '^\s*Passed ' 
  local rc=${PIPESTATUS[0]}
  set -e
  local passed=0 failed=0 skipped=0
  for trx in "$work"/results/*.trx; do
    [ -f "$trx" ] || continue
    local c
    c=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    passed=$((passed + $(echo "$c" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')))
    failed=$((failed + $(echo "$c" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')))
    skipped=$((skipped + $(echo "$c" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')))
  done
  if [ "$rc" -ne 0 ]; then
    # The failures in full: message and stack of each failed test; the whole log (the apps' own logging too) and the trx kept.
    grep -E -A30 '^\s+Failed [A-Za-z]' "$work/test.log" | head -n 400 >&2
    mkdir -p "$ROOT/.data/test-failed"
    cp "$work/test.log" "$work"/results/*.trx "$ROOT/.data/test-failed/" 2>/dev/null || true
    log "full log of this run: $ROOT/.data/test-failed/test.log"
    if [ "$failed" -eq 0 ]; then failed=1; tail -n 40 "$work/test.log" >&2; fi
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return "$rc"
}

# Full-size benchmarks (not part of the test command): ./servicehub.sh bench <complaints|alerts> [options]
cmd_bench() {
  ensure_dotnet
  work=$(mktemp -d "${TMPDIR:-/tmp}/servicehub-bench.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then chmod 755 "$work"; fi
  if [ -z "${ConnectionStrings__ServiceHub:-}" ]; then
    ensure_postgres
    start_cluster "$work/pg"
    trap 'stop_cluster; rm -rf "$work"' EXIT
    export SERVICEHUB_BENCH_SERVER="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
  else
    export SERVICEHUB_BENCH_SERVER="$ConnectionStrings__ServiceHub"
    trap 'rm -rf "$work"' EXIT
  fi
  dotnet run -c Release --project benchmarks/ServiceHub.Benchmarks -- "$@"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  *) echo "usage: $0 run | test [dotnet test options] | bench [name] [sizes]" >&2; exit 2 ;;
esac
