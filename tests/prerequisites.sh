#!/usr/bin/env bash
# What `make test` needs beyond .venv, checked before any test starts:
#   - Chromium, for the browser tests (Debian's `chromium`; or CSTO_TEST_CHROMIUM=PATH),
#   - docker-compose, to validate docker-compose.yml offline (Debian's `docker-compose`),
#   - podman, runc and mmdebstrap, to build and run the Docker image for real
#     (tests/container/; the stand-in base image is made by the tests on first use),
#   - PostgreSQL on 127.0.0.1:5432, user postgres, trust auth (or CSTO_TEST_PG_URL=URL).
# As root it installs the missing packages with apt-get and starts a local PostgreSQL
# cluster that is installed but down. Otherwise it stops at once with the command to run.
set -euo pipefail

as_root=false
[[ $(id -u) == 0 ]] && as_root=true
sudo=""
$as_root || sudo="sudo "

# --- Debian packages ------------------------------------------------------------------
missing=()
chromium="${CSTO_TEST_CHROMIUM:-/usr/bin/chromium}"
command -v "$chromium" >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
for program in podman runc mmdebstrap; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
# DejaVu Sans: the generated test PDFs with Cyrillic text.
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  install="apt-get install -y --no-install-recommends ${missing[*]}"
  if $as_root && command -v apt-get >/dev/null; then
    echo "make test: installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "make test needs Debian packages that are not installed: ${missing[*]}. Run:" >&2
    echo "    ${sudo}apt-get update && ${sudo}${install}" >&2
    echo "then make test again." >&2
    exit 1
  fi
fi

# --- PostgreSQL -------------------------------------------------------------------------
if [[ -n ${CSTO_TEST_PG_URL:-} ]]; then
  exit 0  # the tests use the server named there; they fail with the reason if it is down
fi
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
pg_up && exit 0
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
if [[ -z $version ]] || ! command -v pg_ctlcluster >/dev/null; then
  echo "make test needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), and none" \
       "is installed. Install it (${sudo}apt-get install -y postgresql), allow user postgres" \
       "on 127.0.0.1 without a password (trust in pg_hba.conf), or point CSTO_TEST_PG_URL" \
       "at a server." >&2
  exit 1
fi
start="pg_ctlcluster --skip-systemctl-redirect $version main start"
if ! $as_root; then
  echo "PostgreSQL $version is installed but not running on 127.0.0.1:5432. Run:" >&2
  echo "    sudo $start" >&2
  echo "then make test again." >&2
  exit 1
fi
echo "make test: PostgreSQL $version is down: starting it"
$start
for _ in $(seq 1 60); do pg_up && exit 0; sleep 0.5; done
echo "PostgreSQL $version did not start listening on 127.0.0.1:5432 within 30 s" >&2
exit 1
