#!/usr/bin/env bash
# Walk benchmark on a file system with many files, where the walk (not hashing) dominates:
# builds an ext4 image holding N small files (default 200000) in 1000 directories, with some of
# them deleted, then times tsk_loaddb and ferret-bench-walk on it (best of --runs, default 2).
#
#   bench/bench-walk-many.sh [--files N] [--runs R]
set -euo pipefail
export LC_ALL=C TZ=UTC
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
files=200000 runs=2
while (($#)); do
  case $1 in
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--files N] [--runs R]" >&2; exit 1 ;;
  esac
done
out=$here/out
image=$out/many-$files.raw
walk=$root/build/bin/ferret-bench-walk
[[ -x $walk ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
mkdir -p "$out"

if [[ ! -f $image ]]; then
  src=$(mktemp -d "$out/.many.XXXXXX")
  trap 'rm -rf "$src"' EXIT
  echo "bench-walk-many: writing $files files" >&2
  python3 - "$src" "$files" <<'PY'
import os, sys
src, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(src, f"dir{i % 1000:04d}")
    if i < 1000:
        os.mkdir(d)
    with open(os.path.join(d, f"poster-{i:07d}.jpg"), "wb") as f:
        f.write(i.to_bytes(8, "little") * (64 + i % 448))
PY
  echo "bench-walk-many: mkfs.ext4 -d" >&2
  size=$(( (files * 8 + 262144) * 1024 ))
  truncate -s "$size" "$image.part"
  E2FSPROGS_FAKE_TIME=1714300000 mkfs.ext4 -q -F -N $((files + 10000)) -U 5eed0042-0000-4000-8000-00000000bbbb \
    -E hash_seed=5eed0042-0000-4000-8000-00000000bbbb -d "$src" "$image.part"
  # Delete every 100th file so the walk meets deleted names too.
  for ((i = 0; i < files; i += 100)); do printf 'rm /dir%04d/poster-%07d.jpg\n' $((i % 1000)) "$i"; done >"$src.rm"
  debugfs -w -f "$src.rm" "$image.part" >/dev/null 2>&1
  rm -f "$src.rm"
  mv "$image.part" "$image"
fi

best() { sort -n | head -1; }
time_it() {  # time_it LABEL CMD...: prints seconds of the fastest of $runs runs
  shift
  for ((r = 0; r < runs; r++)); do
    rm -rf "$out/walk-case" "$out/loaddb.db"
    /usr/bin/time -f %e -o "$out/time.txt" "$@" >/dev/null 2>&1 || { echo "$1 failed" >&2; exit 1; }
    cat "$out/time.txt"
  done | best
}
cat "$image" >/dev/null   # page cache warm for both
loaddb=$(time_it tsk_loaddb tsk_loaddb -d "$out/loaddb.db" "$image")
ours=$(time_it walk "$walk" "$out/walk-case" "$image")
count=$("$walk" "$out/walk-case-count" "$image" | sed -n 's/^walk: \([0-9]*\) files.*/\1/p'); rm -rf "$out/walk-case-count"
printf 'files in the case: %s\n' "$count"
printf '%-20s %8s s\n' tsk_loaddb "$loaddb" ferret-bench-walk "$ours"
awk -v a="$ours" -v b="$loaddb" 'BEGIN { r = a / b; printf "walk / tsk_loaddb = %.2f (target <= 1.5): %s\n", r, (r <= 1.5 ? "ok" : "MISSED") }'
