#!/usr/bin/env bash
# File-hashing benchmark (issue 4): ferret-ingest --hash against tsk_loaddb -h (MD5 only) and against
# tsk_recover -e followed by hashdeep -r -c md5,sha1,sha256, on the raw bench image and on an E01 of it.
#
#   bench/bench-hash.sh [--runs N] [--build DIR] [IMAGE]
#     IMAGE defaults to bench/out/bench-ext4.raw (built if missing); DIR is the build tree whose
#     bin/ferret-ingest is measured (default: build/).
#
# The E01 (bench/out/<image>.E01, deflate "fast") is made with ewfacquire the first time. Prints the best
# wall time of N runs (default 2) and the peak RSS of each tool (every run's user + system CPU
# seconds on stderr: the steadier figure on a loaded machine), then the ratios against the targets.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=2
image=
build=$root/build
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    -*) echo "usage: $0 [--runs N] [--build DIR] [IMAGE]" >&2; exit 1 ;;
    *) image=$1; shift ;;
  esac
done
out=$here/out
mkdir -p "$out"
image=${image:-$out/bench-ext4.raw}
[[ -f $image ]] || "$here/make-bench-image.sh" "$image"
ingest=$build/bin/ferret-ingest
[[ -x $ingest ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
for t in tsk_loaddb tsk_recover hashdeep ewfacquire /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing $t: scripts/install-deps.sh --bench" >&2; exit 1; }
done
e01_base=$out/$(basename "${image%.*}")
e01=$e01_base.E01
if [[ ! -f $e01 ]]; then
  echo "bench-hash: making $e01 with ewfacquire (deflate fast)" >&2
  ewfacquire -u -q -c deflate:fast -S 8GiB -t "$e01_base" "$image" >/dev/null
fi

# measure LABEL CMD...: best wall seconds and max RSS (KiB) over $runs runs, as "secs rss".
measure() {
  local label=$1; shift
  local best= rss=0 t m u s
  for ((r = 0; r < runs; r++)); do
    rm -rf "$out/b-case" "$out/b-loaddb.db" "$out/b-recovered"
    /usr/bin/time -f '%e %M %U %S' -o "$out/b-time" bash -c "$*" >/dev/null 2>"$out/b-stderr" ||
      { echo "$label failed:"; cat "$out/b-stderr"; exit 1; } >&2
    read -r t m u s <"$out/b-time"
    if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    ((m > rss)) && rss=$m
    echo "  $label run $((r + 1)): $t s, cpu $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') s (user $u + sys $s), $((m / 1024)) MiB" >&2
  done
  echo "$best $rss"
}
cat "$image" "$e01" >/dev/null  # page cache

q() { printf '%q' "$1"; }
read -r loaddb_raw _ < <(measure "tsk_loaddb -h raw" "tsk_loaddb -h -d $(q "$out/b-loaddb.db") $(q "$image")")
read -r ferret_raw rss_raw < <(measure "ferret-ingest --hash raw" "$(q "$ingest") --case $(q "$out/b-case") --quiet --hash $(q "$image")")
read -r recover_hashdeep _ < <(measure "tsk_recover -e + hashdeep" \
  "tsk_recover -e $(q "$image") $(q "$out/b-recovered") && hashdeep -r -c md5,sha1,sha256 $(q "$out/b-recovered")")
read -r loaddb_e01 _ < <(measure "tsk_loaddb -h E01" "tsk_loaddb -h -d $(q "$out/b-loaddb.db") $(q "$e01")")
read -r ferret_e01 rss_e01 < <(measure "ferret-ingest --hash E01" "$(q "$ingest") --case $(q "$out/b-case") --quiet --hash $(q "$e01")")

# Sanity: every MD5 tsk_loaddb computed for a file is one Ferret computed too.
rm -rf "$out/b-case" "$out/b-loaddb.db"
"$ingest" --case "$out/b-case" --quiet --hash "$image" >/dev/null
tsk_loaddb -h -d "$out/b-loaddb.db" "$image" >/dev/null
missing=$(sqlite3 "$out/b-case/case.db" "ATTACH $(printf "'%s'" "$out/b-loaddb.db") AS t;
  SELECT count(*) FROM t.tsk_files WHERE md5 IS NOT NULL AND size > 0 AND type = 0 AND dir_flags = 1
    AND md5 NOT IN (SELECT md5 FROM files WHERE md5 IS NOT NULL);")
files=$(sqlite3 "$out/b-case/case.db" "SELECT count(*) FROM files WHERE content_state = 'intact'")

printf '\n%-32s %8s %9s\n' tool "wall s" "peak MiB"
printf '%-32s %8s\n' "tsk_loaddb -h (raw)" "$loaddb_raw"
printf '%-32s %8s %9s\n' "ferret-ingest --hash (raw)" "$ferret_raw" "$((rss_raw / 1024))"
printf '%-32s %8s\n' "tsk_recover -e + hashdeep -r" "$recover_hashdeep"
printf '%-32s %8s\n' "tsk_loaddb -h (E01)" "$loaddb_e01"
printf '%-32s %8s %9s\n' "ferret-ingest --hash (E01)" "$ferret_e01" "$((rss_e01 / 1024))"
check() { awk -v a="$2" -v b="$3" -v t="$4" -v l="$1" 'BEGIN { r = a / b; printf "%-40s %.2f (target <= %s): %s\n", l, r, t, (r <= t ? "ok" : "MISSED") }'; }
echo
check "ingest+hash / tsk_loaddb -h (raw)" "$ferret_raw" "$loaddb_raw" 1.0
check "ingest+hash / (tsk_recover + hashdeep)" "$ferret_raw" "$recover_hashdeep" 0.33
check "ingest+hash / tsk_loaddb -h (E01)" "$ferret_e01" "$loaddb_e01" 0.6
echo "peak RSS: raw $((rss_raw / 1024)) MiB, E01 $((rss_e01 / 1024)) MiB (target < 256)"
echo "files hashed by Ferret: $files; allocated files whose tsk_loaddb MD5 Ferret did not find: $missing (expect 0)"
rm -rf "$out/b-case" "$out/b-loaddb.db" "$out/b-recovered" "$out/b-time" "$out/b-stderr"
