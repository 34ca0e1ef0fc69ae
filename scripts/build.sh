#!/usr/bin/env bash
# Configures and builds Ferret into build/ (executables in build/bin/ferret-<verb>).
# Extra CMake arguments can be passed in FERRET_CMAKE_ARGS; CI builds with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${CI:-}" == "true" ]]; then args+=(-DFERRET_WERROR=ON); fi
# shellcheck disable=SC2086
cmake -S . -B build "${args[@]}" ${FERRET_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
