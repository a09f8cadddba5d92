#!/usr/bin/env bash
# ServiceHub: the two commands of the README, and the operator's.
#   ./servicehub.sh run    the demo: private PostgreSQL cluster (reused), migrations, demo data, app on http://127.0.0.1:5080
#   ./servicehub.sh test   throw-away cluster, every test, closing line "N passed, N failed"
# With ConnectionStrings__ServiceHub set, both use that server and start no cluster.
# Operations (README, "Deploying ServiceHub" and "Operating ServiceHub"):
#   ./servicehub.sh start                   production start: no demo data, settings from the environment / appsettings.Production.json
#   ./servicehub.sh admin create NAME       an administrator whose password must change at the first sign-in
#   ./servicehub.sh backup                  one verified backup now (for cron)
#   ./servicehub.sh restore FILE            restore into a new database, check it, then switch to it
#   ./servicehub.sh publish                 a self-contained build in artifacts/servicehub (runs without the .NET SDK)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
APP_URL=${SERVICEHUB_URL:-http://127.0.0.1:5080}
# A published build (./servicehub.sh publish) carries this script next to its ServiceHub.App executable and no sources.
PUBLISHED=; if [ -x "$ROOT/ServiceHub.App" ] && [ ! -f "$ROOT/ServiceHub.sln" ]; then PUBLISHED=1; fi
# Our own servers listen below Linux's ephemeral port range (outgoing connections take their local ports from it).
PG_PORT_BASE=${SERVICEHUB_PG_PORT:-15432}

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

# (grep reads all of its input: with pipefail, an early-exiting grep -q could fail the pipe through SIGPIPE.)
has_sdk10() { command -v dotnet >/dev/null && dotnet --list-sdks 2>/dev/null | grep '^10\.' >/dev/null; }

# The .NET 10 SDK: from the distribution's packages where it ships it (Ubuntu's dotnet-sdk-10.0, or any apt source that
# has it), otherwise stop with the exact commands to install it.
ensure_dotnet() {
  [ -z "$PUBLISHED" ] || die "This is a published build: it runs without the SDK (./servicehub.sh start | admin | backup | restore); build and test from a source checkout."
  has_sdk10 && return
  local id="" version="" candidate=""
  if [ -r /etc/os-release ]; then
    id=$(. /etc/os-release && echo "${ID:-}")
    version=$(. /etc/os-release && echo "${VERSION_ID:-}")
  fi
  if command -v apt-cache >/dev/null; then
    candidate=$(apt-cache policy dotnet-sdk-10.0 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      as_root apt-get update -qq >/dev/null 2>&1 && APT_UPDATED=1 || true
      candidate=$(apt-cache policy dotnet-sdk-10.0 2>/dev/null | awk '/Candidate:/ {print $2}')
    fi
  fi
  if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
    log "the .NET 10 SDK is missing: installing dotnet-sdk-10.0 $candidate from the distribution's packages (${id:-unknown})"
    apt_install dotnet-sdk-10.0
    hash -r
    has_sdk10 && return
    die "dotnet-sdk-10.0 was installed but 'dotnet --list-sdks' shows no 10.x SDK."
  fi
  local feed="${id:-debian}/${version:-12}"
  die "The .NET 10 SDK is required and ${id:-this distribution} ${version} has no dotnet-sdk-10.0 package. Install it with
  Microsoft's packages (Debian, Ubuntu):
    wget https://packages.microsoft.com/config/$feed/packages-microsoft-prod.deb -O packages-microsoft-prod.deb
    sudo dpkg -i packages-microsoft-prod.deb && rm packages-microsoft-prod.deb
    sudo apt-get update && sudo apt-get install -y dotnet-sdk-10.0
  or with dotnet-install.sh (any Linux, no root):
    curl -sSL https://dot.net/v1/dotnet-install.sh -o dotnet-install.sh
    bash dotnet-install.sh --channel 10.0 --install-dir \"\$HOME/.dotnet\"
    export DOTNET_ROOT=\"\$HOME/.dotnet\" PATH=\"\$HOME/.dotnet:\$PATH\"
  then run this command again."
}

# initdb refuses root: as root the cluster belongs to 'postgres' and lives where that user can enter.
# As root, PostgreSQL runs as the postgres user, from / (it may not enter the checkout: "could not change directory" otherwise).
run_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

ephemeral_low() { awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768; }

# A port is taken while ANY socket holds it locally, listening or not: an outgoing connection's TIME-WAIT is enough to
# make a bind fail.
port_taken() {
  if command -v ss >/dev/null; then [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi
}

# free_port FROM → the first port from FROM on that no socket holds, below the ephemeral range.
free_port() {
  local p=$1 low; low=$(ephemeral_low)
  [ "$p" -lt "$low" ] || p=$PG_PORT_BASE
  while port_taken "$p"; do
    p=$((p + 1))
    [ "$p" -lt "$low" ] || die "no free port between $PG_PORT_BASE and $low (the start of the ephemeral range)"
  done
  echo "$p"
}

CLUSTER_STARTED=
# start_cluster DIR  → sets PGPORT, PGDIR; creates the cluster if new, starts it if stopped (on a free port below the
# ephemeral range; the next one when the bind fails anyway, e.g. taken in the meantime).
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
  local want attempt logged; want=$(cat "$PGDIR/port" 2>/dev/null || echo "$PG_PORT_BASE")
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    PGPORT=$(free_port "$want")
    run_pg sh -c "echo $PGPORT > '$PGDIR/port'"
    logged=0; [ ! -f "$PGDIR/postgres.log" ] || logged=$(wc -l < "$PGDIR/postgres.log")
    if run_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} ${PG_OPTIONS:-}" start >/dev/null; then
      CLUSTER_STARTED=1
      log "PostgreSQL listening on 127.0.0.1:$PGPORT"
      return
    fi
    if tail -n "+$((logged + 1))" "$PGDIR/postgres.log" 2>/dev/null | grep -q -e 'could not bind' -e 'Address already in use'; then
      log "port $PGPORT was taken meanwhile; trying the next one"
      want=$((PGPORT + 1))
      continue
    fi
    tail -n 20 "$PGDIR/postgres.log" >&2
    die "PostgreSQL did not start"
  done
  die "PostgreSQL did not start: no port could be bound after 10 attempts"
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
  ensure_pdf_font
  if [ -z "${ConnectionStrings__ServiceHub:-}" ]; then
    ensure_postgres
    start_cluster "$(cluster_base)/pg"
    trap stop_cluster EXIT
    trap 'exit 130' INT TERM
    ensure_database servicehub
    export ConnectionStrings__ServiceHub="Host=127.0.0.1;Port=$PGPORT;Database=servicehub;Username=postgres"
    export Backups__Directory=${Backups__Directory:-$(cluster_base)/backups}
  else
    log "using the database of ConnectionStrings__ServiceHub"
  fi
  build_app
  print_accounts
  log "ServiceHub on $APP_URL  (Ctrl+C stops the app and the database)"
  set +e
  # The built app itself (not `dotnet run`, which outlives a Ctrl+C); content root is the project for wwwroot.
  # The demo keeps its data-protection keys unencrypted (a production start configures DataProtection:Certificate:Path).
  ServiceHub__SeedDemo=true ServiceHub__SeedDemoHistory=${SERVICEHUB_DEMO_HISTORY:-true} ASPNETCORE_URLS="$APP_URL" ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} \
    DataProtection__AllowUnencryptedKeys=${DataProtection__AllowUnencryptedKeys:-true} \
    dotnet "$ROOT/ServiceHub.App/bin/Release/net10.0/ServiceHub.App.dll" --contentRoot "$ROOT/ServiceHub.App"
  local rc=$?
  set -e
  return $rc
}

# The annual report PDF's Chinese face: a TrueType font that PDFsharp subsets (README, "Settings", ServiceHub:PdfFont).
# A face named by ServiceHub__PdfFont is the operator's; without apt-get the app names the missing font when a PDF is asked for.
ensure_pdf_font() {
  [ -z "${ServiceHub__PdfFont:-}" ] || return 0
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && return 0
  if command -v apt-get >/dev/null; then apt_install fonts-wqy-microhei
  else log "no fonts-wqy-microhei: install a Chinese TrueType font and set ServiceHub__PdfFont for the annual report PDF"; fi
}

ensure_test_prereqs() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
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
    # A throw-away cluster: nothing to keep after a crash, so no flush, no wait for the WAL at commit, no full pages in the WAL.
    # In memory when the machine has a tmpfs with room (/dev/shm, 4 GiB free): the suite creates and drops a database per test
    # class, about 700 files each, which took 0.6 s on the disk and 0.06 s in memory (docs/benchmarks.md, "The test command").
    pgwork="$work"
    if [ -z "${SERVICEHUB_TEST_ON_DISK:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
      && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -ge 4194304 ] 2>/dev/null; then
      pgwork=$(mktemp -d /dev/shm/servicehub-test-pg.XXXXXX)
      if [ "$(id -u)" -eq 0 ]; then chmod 755 "$pgwork"; fi
    fi
    PG_FSYNC=off PG_OPTIONS="-c synchronous_commit=off -c full_page_writes=off" start_cluster "$pgwork/pg"
    trap 'stop_cluster; rm -rf "$work"; [ "$pgwork" = "$work" ] || rm -rf "$pgwork"' EXIT
    export SERVICEHUB_TEST_SERVER="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
  else
    log "using the server of ConnectionStrings__ServiceHub (tests create and drop their own databases)"
    export SERVICEHUB_TEST_SERVER="$ConnectionStrings__ServiceHub"
    trap 'rm -rf "$work"' EXIT
  fi
  # No profile-guided re-JIT (an instrumented tier between quick JIT and the optimised one) for the build, the test host and the
  # app processes it starts: code that runs for seconds pays for the instrumentation and never gets its gain (docs/benchmarks.md).
  export DOTNET_TieredPGO=0
  log "building"
  dotnet build ServiceHub.sln -c Release -v q -nologo >/dev/null || { dotnet build ServiceHub.sln -c Release -nologo; exit 1; }
  log "running the tests"
  set +e
  # The test project alone (the solution's other projects hold no tests): MSBuild evaluates one project instead of five.
  dotnet test ServiceHub.Tests/ServiceHub.Tests.csproj -c Release --no-build -nologo --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
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

# Full-size benchmarks (not part of the test command): ./servicehub.sh bench <complaints|alerts|circuits|…> [options] (docs/benchmarks.md)
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

# ---- Operations -------------------------------------------------------------------------------------------------------

# The database of an operator's command: ConnectionStrings__ServiceHub (your PostgreSQL server), or a private cluster kept
# in $SERVICEHUB_DATA/pg, or (from a source checkout, for admin/backup/restore only) the demo's cluster of `run`.
# A cluster started here is stopped again when the command ends; one already running is left alone.
use_database() { # allow-demo-cluster(yes|no)
  if [ -n "${ConnectionStrings__ServiceHub:-}" ]; then
    log "using the database of ConnectionStrings__ServiceHub"
    return
  fi
  local base
  if [ -n "${SERVICEHUB_DATA:-}" ]; then
    base=$SERVICEHUB_DATA
  elif [ "$1" = yes ] && [ -z "$PUBLISHED" ]; then
    base=$(cluster_base)
    log "using the demo's private cluster (./servicehub.sh run)"
  else
    die "No database: set ConnectionStrings__ServiceHub to your PostgreSQL database (README, \"Deploying ServiceHub\"), or SERVICEHUB_DATA to a durable folder for a private cluster."
  fi
  ensure_postgres
  mkdir -p "$base"
  start_cluster "$base/pg"
  if [ -n "$CLUSTER_STARTED" ]; then trap stop_cluster EXIT; trap 'exit 130' INT TERM; fi
  ensure_database servicehub
  export ConnectionStrings__ServiceHub="Host=127.0.0.1;Port=$PGPORT;Database=servicehub;Username=postgres"
  export Backups__Directory=${Backups__Directory:-$base/backups}
}

# pg_dump/pg_restore for backups: the app finds them as ensure_postgres does (newest /usr/lib/postgresql/N/bin, then PATH).
ensure_pg_client() {
  if [ -z "${Backups__PgBinDir:-}" ] && [ -z "$(pg_bindir)" ] && ! command -v pg_dump >/dev/null; then apt_install postgresql-client; fi
}

# app VERB… : the app itself (a published build's executable, or the build of this checkout) with a command-line verb.
build_app() {
  ensure_dotnet
  log "building"
  dotnet build ServiceHub.App -c Release -v q -nologo >/dev/null || dotnet build ServiceHub.App -c Release -nologo
}

app() {
  if [ -n "$PUBLISHED" ]; then
    "$ROOT/ServiceHub.App" "$@"
  else
    build_app
    dotnet "$ROOT/ServiceHub.App/bin/Release/net10.0/ServiceHub.App.dll" "$@"
  fi
}

# Production: no demo data, every required setting present (the app names a missing one and stops).
cmd_start() {
  use_database no
  ensure_pdf_font
  [ -n "$PUBLISHED" ] || build_app
  log "ServiceHub (production) on $APP_URL  (Ctrl+C stops it)"
  set +e
  if [ -n "$PUBLISHED" ]; then
    ASPNETCORE_URLS="$APP_URL" ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} "$ROOT/ServiceHub.App" --contentRoot "$ROOT"
  else
    ASPNETCORE_URLS="$APP_URL" ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production} \
      dotnet "$ROOT/ServiceHub.App/bin/Release/net10.0/ServiceHub.App.dll" --contentRoot "$ROOT/ServiceHub.App"
  fi
  local rc=$?
  set -e
  return $rc
}

cmd_admin() {
  [ "${1:-}" = create ] && [ -n "${2:-}" ] || die "usage: $0 admin create NAME [--display-name TEXT] [--generate-password]"
  use_database yes
  app admin "$@"
}

cmd_backup() {
  use_database yes
  ensure_pg_client
  app backup "$@"
}

cmd_restore() {
  [ -n "${1:-}" ] || die "usage: $0 restore FILE [--no-switch] | restore --switch-to DATABASE"
  use_database yes
  ensure_pg_client
  if [ "$1" != --switch-to ]; then set -- "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" "${@:2}"; fi
  app restore "$@"
}

# A self-contained build for linux-x64: copy artifacts/servicehub to the server and run ./ServiceHub.App (no SDK needed).
cmd_publish() {
  ensure_dotnet
  local out="$ROOT/artifacts/servicehub"
  rm -rf "$out"
  log "publishing a self-contained linux-x64 build into $out"
  dotnet publish ServiceHub.App/ServiceHub.App.csproj -c Release -r linux-x64 --self-contained true -o "$out" -nologo -v q >/dev/null \
    || dotnet publish ServiceHub.App/ServiceHub.App.csproj -c Release -r linux-x64 --self-contained true -o "$out" -nologo
  cp servicehub.sh "$out/servicehub.sh"
  log "done: $(du -sh "$out" | cut -f1). On the server: cd $(basename "$out") && ./ServiceHub.App (or ./servicehub.sh start | admin | backup | restore)"
}

# Sourced (the port tests read free_port and port_taken): the functions only, no command.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  start) shift; cmd_start "$@" ;;
  admin) shift; cmd_admin "$@" ;;
  backup) shift; cmd_backup "$@" ;;
  restore) shift; cmd_restore "$@" ;;
  publish) shift; cmd_publish "$@" ;;
  *) echo "usage: $0 run | test [dotnet test options] | bench [name] [sizes] | start | admin create NAME | backup | restore FILE | publish" >&2; exit 2 ;;
esac
