# Sourced by scripts/run and scripts/test: create or refresh .venv from pyproject.toml.
# Usage: ensure_venv EXTRAS   (EXTRAS: "" or "test" ...)
# Reinstalls only when pyproject.toml (or the extras asked for) changed since the last install.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "neuroviz needs Python 3.11 or newer; none was found (set PYTHON=/path/to/python3)." >&2
  return 1
}

# file_hash PYTHON FILE: the SHA-256 of FILE in hex, computed by Python (no GNU tool needed, so also on macOS).
file_hash() {
  "$1" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$2"
}

ensure_venv() {
  local extras="$1"
  local spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    py="$(find_python)" || exit 1
    echo "Creating $VENV with $("$py" --version) ..." >&2
    "$py" -m venv "$VENV"
  fi
  local stamp="$VENV/.neuroviz-installed-${extras:-base}"
  local want
  want="$(file_hash "$VENV/bin/python" "$ROOT/pyproject.toml")"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing neuroviz${extras:+ with [$extras]} into .venv ..." >&2
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec") || {
      echo "Installing the dependencies failed (see above)." >&2
      exit 1
    }
    echo "$want" > "$stamp"
  fi
}
