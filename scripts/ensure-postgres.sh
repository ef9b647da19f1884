#!/usr/bin/env bash
# Makes sure PostgreSQL answers on PGHOST:PGPORT (default 127.0.0.1:5432): starts the local
# Debian cluster when it is down, installs PostgreSQL from Debian's packages when it is missing.
set -euo pipefail
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}

ready() { pg_isready -h "$host" -p "$port" -q 2>/dev/null; }

if command -v pg_isready >/dev/null && ready; then exit 0; fi

if ! command -v pg_ctlcluster >/dev/null; then
  echo "PostgreSQL is not installed; installing it from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi

for version in $(ls /etc/postgresql 2>/dev/null); do
  echo "starting PostgreSQL $version (cluster main)" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
done

for _ in $(seq 1 60); do
  if ready; then exit 0; fi
  sleep 0.5
done
echo "PostgreSQL does not answer on $host:$port after 30 s; see /var/log/postgresql/" >&2
exit 1
