#!/usr/bin/env bash
# Create the Salt virtualenvs used by the interop tests (test/interop/):
#   .venv/salt-3008  -> salt==3008.4
#   .venv/salt-3007  -> salt==3007.13
#   .venv/salt-3006  -> salt==3006.30 (LTS)
# Idempotent: a venv whose stamp matches the wanted pins and whose salt imports is left alone (~1 s).
# Quiet: pip output goes to .venv/<name>.log and is printed only on failure.
# Each venv also gets scripts/salt-venv/brine_importer_cache_race_fix.py (see its docstring: a
# CPython + Salt thread race in importlib.invalidate_caches that made salt-master log spurious ERRORs).
# Env: PYTHON (default python3), BRINE_SALT_LINES (space-separated subset, e.g. "3008"),
#      BRINE_SALT_VENV_ROOT (where the venvs go, default .venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_ROOT="${BRINE_SALT_VENV_ROOT:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# Exact pins: salt itself plus every dependency, so a fresh install is reproducible.
# - 3008.4 is a wheel with loose ">=" requirements; its pins are the set pip resolved for it on
#   Python 3.11 (pip freeze of a clean install).
# - 3007.13 is an sdist whose wheel, built with any current setuptools (75..84 tried), comes out
#   with NO Requires-Dist at all (salt's custom setup.py sets install_requires in a way setuptools
#   no longer copies into the wheel metadata), so `pip install salt==3007.13` alone gives a salt that
#   cannot import zmq/msgpack. Its pins are Salt's own lock for that release,
#   requirements/static/pkg/py3.11/linux.txt inside the sdist.
# - 3006.30 (LTS) is a wheel; its pins are Salt's own lock for that release,
#   requirements/static/pkg/py3.11/linux.lock inside the sdist, except certifi: the lock wants
#   certifi==2026.10.23, newer than the registry serves, so the closest release it has
#   (2026.10.19.post1) stands in; the wheel itself requires certifi>=2026.10.23, so salt is
#   installed with --no-deps after its pinned dependencies.
pins_for() {
  case "$1" in
    3008) echo "salt==3008.4
      aiohappyeyeballs==2.7.1 aiohttp==3.14.5 aiosignal==1.4.0 annotated-doc==0.0.7
      annotated-types==0.8.0 apache-libcloud==3.9.1 attrs==26.1.0 backports.tarfile==1.2.0
      certifi==2026.10.19.post1 cffi==2.1.1 charset-normalizer==3.5.3 cheroot==11.1.2
      CherryPy==18.10.0 croniter==7.0.0 cryptography==50.0.2 distlib==0.4.4 distro==1.9.0
      filelock==4.3.1 frozenlist==1.8.0 gitdb==4.0.12 GitPython==3.2.1
      googleapis-common-protos==1.76.0 idna==3.20 importlib_metadata==10.2.0
      jaraco.collections==5.2.1 jaraco.context==6.1.2 jaraco.functools==4.6.0 jaraco.text==4.3.0
      Jinja2==3.1.6 jmespath==1.1.0 lazy-importer==0.1.0 looseversion==1.3.0 markdown-it-py==4.3.0
      MarkupSafe==3.0.4 mdurl==0.1.2 more-itertools==11.2.1 msgpack==1.2.4 multidict==7.2.1
      opentelemetry-api==1.45.2 opentelemetry-exporter-http-transport==0.66b2
      opentelemetry-exporter-otlp-common==0.66b2 opentelemetry-exporter-otlp-proto-common==1.45.2
      opentelemetry-exporter-otlp-proto-http==1.45.2 opentelemetry-exporter-prometheus==0.66b2
      opentelemetry-proto==1.45.2 opentelemetry-sdk==1.45.2
      opentelemetry-semantic-conventions==0.66b2 packaging==26.4 platformdirs==4.14.8
      portend==3.2.1 prometheus_client==0.26.0 propcache==0.5.4 protobuf==7.36.2 psutil==7.2.2
      pyasn1==0.6.5 pycparser==3.12 pycryptodomex==3.24.2 pydantic==2.14.4 pydantic_core==2.50.5
      Pygments==2.21.0 pyOpenSSL==26.4.0 python-dateutil==4.0.0 python-discovery==1.9.6
      python-gnupg==0.5.7 PyYAML==6.0.4 pyzmq==27.3.0 requests==2.34.2 rich==15.0.0
      setproctitle==1.3.8 shellingham==1.5.4 smmap==5.0.3 tempora==5.13.0 timelib==0.3.0
      tornado==6.6.1 truststore==0.10.5 typer==0.29.2 typer-slim==0.24.0 typing-inspection==0.4.5
      typing_extensions==4.16.0 tzdata==2026.6 urllib3==2.8.0 virtualenv==21.15.11 xxhash==4.1.0
      yarl==1.25.1 zc.lockfile==4.0 zipp==4.1.2" ;;
    3007) echo "salt==3007.13
      aiohappyeyeballs==2.6.1 aiohttp==3.13.3 aiosignal==1.4.0 attrs==23.2.0 autocommand==2.2.2
      certifi==2024.7.4 cffi==2.0.0 charset-normalizer==3.2.0 cheroot==11.1.2 cherrypy==18.8.0
      contextvars==2.4 croniter==2.0.5 cryptography==42.0.5 distlib==0.4.0 distro==1.8.0
      filelock==3.20.3 frozenlist==1.7.0 idna==3.7 immutables==0.21 importlib-metadata==8.7.0
      jaraco.collections==4.1.0 jaraco.context==4.3.0 jaraco.functools==4.1.0 jaraco.text==4.0.0
      jinja2==3.1.6 jmespath==1.0.1 looseversion==1.3.0 markupsafe==2.1.3 more-itertools==10.8.0
      msgpack==1.0.7 multidict==6.0.4 packaging==24.0 platformdirs==4.5.1 portend==3.1.0
      propcache==0.3.2 psutil==5.9.6 pycparser==2.21 pycryptodomex==3.19.1 pyopenssl==24.0.0
      python-dateutil==2.8.2 python-gnupg==0.5.2 pytz==2024.1 pyyaml==6.0.1 pyzmq==25.1.2
      requests==2.32.5 rpm-vercmp==0.1.2 setproctitle==1.3.2 six==1.16.0 tempora==5.3.0
      timelib==0.3.0 tornado==6.5.4 typing-extensions==4.14.1 urllib3==2.6.3 virtualenv==20.36.1
      yarl==1.20.1 zc.lockfile==3.0.post1 zipp==3.23.0" ;;
    3006) echo "salt==3006.30
      aiohappyeyeballs==2.6.1 aiohttp==3.14.3 aiosignal==1.4.0 annotated-doc==0.0.4
      apache-libcloud==3.9.1 attrs==26.1.0 backports-tarfile==1.2.0 certifi==2026.10.19.post1
      cffi==2.0.0 charset-normalizer==3.5.1 cheroot==11.1.2 cherrypy==18.10.0 contextvars==2.4
      croniter==6.2.2 cryptography==50.0.0 distlib==0.4.0 distro==1.9.0 filelock==3.29.1
      frozenlist==1.7.0 gitdb==4.0.12 gitpython==3.1.62 idna==3.18 immutables==0.21
      importlib-metadata==9.0.0 jaraco-collections==4.1.0 jaraco-context==6.1.2
      jaraco-functools==4.5.0 jaraco-text==4.2.0 jinja2==3.1.6 jmespath==1.1.0 looseversion==1.3.0
      markdown-it-py==4.2.0 markupsafe==2.1.5 mdurl==0.1.2 more-itertools==11.1.0 msgpack==1.2.1
      multidict==6.7.1 packaging==24.0 platformdirs==4.5.1 portend==3.1.0 propcache==0.3.2
      psutil==7.2.2 pyasn1==0.6.4 pycparser==3.0 pycryptodomex==3.23.0 pygments==2.20.0
      pyopenssl==26.4.0 python-dateutil==2.9.0.post0 python-discovery==1.4.0 python-gnupg==0.5.6
      pytz==2024.1 pyyaml==6.0.3 pyzmq==27.1.0 requests==2.34.2 rich==15.0.0 setproctitle==1.3.7
      setuptools==84.0.0 shellingham==1.5.4 six==1.17.0 smmap==5.0.2 tempora==5.3.0 timelib==0.3.0
      tornado==6.5.7 typer==0.26.7 typer-slim==0.24.0 typing-extensions==4.14.1 urllib3==2.7.0
      virtualenv==21.4.2 yarl==1.20.1 zc-lockfile==3.0.post1 zipp==4.1.0" ;;
    *) echo "unknown salt line: $1" >&2; return 1 ;;
  esac
}

WANTED="${BRINE_SALT_LINES:-3008 3007 3006}"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "setup-salt: $PYTHON not found" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "setup-salt: $PYTHON is older than 3.10 ($("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

mkdir -p "$VENV_ROOT"

# Prints the installed salt version, or nothing if the venv is unusable.
installed_version() {
  local venv="$1"
  [ -x "$venv/bin/python" ] || return 0
  "$venv/bin/python" - <<'PY' 2>/dev/null || true
import salt.version, zmq, msgpack, tornado, aiohttp, cryptography  # noqa: F401
print(salt.version.__version__)
PY
}

# Lines whose salt wheel pins a dependency the registry does not have: deps first, salt --no-deps.
NO_DEPS_LINES="3006"

install_pins() {
  local venv="$1" line="$2" pins="$3" salt deps
  local pip=("$venv/bin/python" -m pip install --disable-pip-version-check --no-input)
  if [[ " $NO_DEPS_LINES " == *" $line "* ]]; then
    salt="$(echo "$pins" | tr ' ' '\n' | grep '^salt==')"
    deps="$(echo "$pins" | tr ' ' '\n' | grep -v '^salt==' | grep -v '^$')"
    # shellcheck disable=SC2086 # word lists on purpose
    "${pip[@]}" $deps && "${pip[@]}" --no-deps $salt
  else
    # shellcheck disable=SC2086 # $pins is a word list on purpose
    "${pip[@]}" $pins
  fi
}

install_one() {
  local line="$1" pins venv stamp log
  pins="$(pins_for "$line")"
  venv="$VENV_ROOT/salt-$line"
  stamp="$venv/.brine-setup-stamp"
  log="$VENV_ROOT/salt-$line.log"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pins" ] && [ -n "$(installed_version "$venv")" ]; then
    return 0
  fi
  rm -rf "$venv"
  {
    "$PYTHON" -m venv "$venv" &&
      install_pins "$venv" "$line" "$pins"
  } >"$log" 2>&1 || {
    echo "setup-salt: installing salt-$line failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    return 1
  }
  if [ -z "$(installed_version "$venv")" ]; then
    echo "setup-salt: $venv was installed but salt does not import; see $log" >&2
    return 1
  fi
  echo "$pins" >"$stamp"
}

# Install the venvs in parallel (separate directories; pip's cache is safe to share).
pids=()
for line in $WANTED; do
  install_one "$line" &
  pids+=("$!")
done
rc=0
for pid in "${pids[@]}"; do
  wait "$pid" || rc=1
done
[ "$rc" -eq 0 ] || exit "$rc"

# Rewritten on every run so an existing venv picks up changes to the fix.
install_race_fix() {
  local venv="$1" site
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  cp "$ROOT/scripts/salt-venv/brine_importer_cache_race_fix.py" "$site/"
  echo "import brine_importer_cache_race_fix" >"$site/brine_importer_cache_race_fix.pth"
}

for line in $WANTED; do
  install_race_fix "$VENV_ROOT/salt-$line"
  echo "salt-$line: $(installed_version "$VENV_ROOT/salt-$line") ($VENV_ROOT/salt-$line)"
done
