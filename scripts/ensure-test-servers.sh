#!/usr/bin/env bash
# Runs before `npm test` (the `pretest` script): the tests start their own
# redis-server and PostgreSQL on free ports and drive Debian's Chromium, so
# those programs must be installed. As root on Debian/Ubuntu, missing ones are
# installed with apt-get (one line says so); otherwise this stops before any
# test runs, with the exact command to run.
set -euo pipefail

# Where each program is looked for (overridable for this script's own test).
redis_server="${MESSAGIO_REDIS_SERVER:-redis-server}"
chromium="${MESSAGIO_CHROMIUM:-/usr/bin/chromium}"
postgresql="${MESSAGIO_POSTGRESQL_ROOT:-/usr/lib/postgresql}"

missing=()
command -v "$redis_server" >/dev/null 2>&1 || missing+=(redis-server)
[ -x "$chromium" ] || missing+=(chromium)
ls "$postgresql"/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing ${missing[*]} with apt-get (the tests start their own servers and browser)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the packaged services; the tests use private instances on free ports instead.
  exit 0
fi

echo "npm test needs ${missing[*]}, which the tests start themselves (private instances on free ports)." >&2
echo "Install them, then run npm test again:" >&2
echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
exit 1
