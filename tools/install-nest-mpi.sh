#!/usr/bin/env bash
# Build NEST with MPI and HDF5 into the current Python environment (the PyPI wheel of
# nest-simulator has neither), for `mpirun -np N python script.py` on pynn_uni.nest.
#
#   tools/install-nest-mpi.sh            # into the active venv (or PYTHON=/path/to/python)
#
# Debian/Ubuntu build and run-time packages come from apt-get (with `sudo -n` unless root).
# The wheel is built once (about an hour on 2 cores) and kept in
# ~/.cache/pynn_uni/wheels/nest-mpi/ (PYNN_UNI_NEST_MPI_CACHE), then reused.
set -euo pipefail
PYTHON=${PYTHON:-python}
VERSION=${NEST_VERSION:-3.10.0}
CACHE=${PYNN_UNI_NEST_MPI_CACHE:-$HOME/.cache/pynn_uni/wheels/nest-mpi}
PACKAGES="openmpi-bin libopenmpi-dev libgsl-dev libboost-dev libltdl-dev cmake libhdf5-dev"

missing=""
for p in $PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    echo "install-nest-mpi: apt-get install$missing" >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q $missing >/dev/null \
        || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $missing >/dev/null; }
fi

tag=$("$PYTHON" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
wheel=$(ls "$CACHE"/nest_simulator-"$VERSION"-"$tag"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
    mkdir -p "$CACHE"
    build=$(mktemp -d "$CACHE/.build.XXXXXX")
    trap 'rm -rf "$build"' EXIT
    echo "install-nest-mpi: building nest-simulator $VERSION with MPI and HDF5 (about an hour)" >&2
    "$PYTHON" -m pip wheel --quiet --no-deps --no-binary nest-simulator \
        "nest-simulator==$VERSION" -C cmake.define.with-mpi=ON -C cmake.define.with-hdf5=ON \
        -w "$build"
    built=$(ls "$build"/nest_simulator-*.whl)
    mv "$built" "$CACHE/"  # whole wheels only: a failed build leaves nothing to reuse
    wheel="$CACHE/$(basename "$built")"
fi
echo "install-nest-mpi: installing $wheel" >&2
"$PYTHON" -m pip uninstall --quiet -y nest-simulator >/dev/null 2>&1 || true
"$PYTHON" -m pip install --quiet "$wheel" mpi4py

# This NEST loads the system's HDF5.  PyPI's h5py wheel carries its own, and the two in one
# process break `import nest` ("ValueError: Not a datatype"), so h5py is built against the
# system's (once, kept beside NEST's wheel).  pandas: nest.SonataNetwork reads CSVs with it.
h5py_wheel=$(ls "$CACHE"/h5py-*-"$tag"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$h5py_wheel" ]; then
    echo "install-nest-mpi: building h5py against the system's HDF5 (a few minutes)" >&2
    h5build=$(mktemp -d "$CACHE/.h5py.XXXXXX")
    HDF5_DIR="/usr/lib/$(gcc -print-multiarch)/hdf5/serial" "$PYTHON" -m pip wheel --quiet \
        --no-deps --no-binary h5py h5py -w "$h5build"
    mv "$h5build"/h5py-*.whl "$CACHE/"
    rm -rf "$h5build"
    h5py_wheel=$(ls "$CACHE"/h5py-*-"$tag"-*.whl | head -n 1)
fi
"$PYTHON" -m pip install --quiet --force-reinstall --no-deps "$h5py_wheel"
"$PYTHON" -m pip install --quiet pandas
"$PYTHON" -c 'from pynn_uni.nest.parallel import built_with
assert built_with("MPI"), "the installed NEST has no MPI"
import h5py, nest  # NEST and h5py share one HDF5
print("NEST with MPI:", built_with("MPI"), "HDF5:", built_with("HDF5"))'
