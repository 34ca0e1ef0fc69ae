#!/usr/bin/env bash
# Whole-pipeline benchmark (issue 9): ferret-process on the 2 GiB media image with a 1-million-hash set,
# against the anchor pipeline of TSK + foremost + hfind doing the comparable jobs one after the other.
#
#   bench/bench-process.sh [--build DIR] [--hashes N] [--runs R] [IMAGE]
#
#   IMAGE       default bench/out/bench-ext4.raw (built with bench/make-bench-image.sh if missing)
#   --build     where the tools are (DIR/bin), default build/
#   --hashes    size of the hash set (default 1000000): N-50 generated MD5s plus the MD5s of 50 files of
#               the image (so that matches exist), as an md5sum list both tools read
#   --runs      runs of each side (default 1); the best wall time counts
#
# Ferret:  ferret-hashset import (the set, once) then ferret-process --hashset SET IMAGE (ingest with
#          the image's and every file's MD5/SHA-1/SHA-256, carving of unallocated space, matching, the
#          plugins, the HTML report).
# Anchor:  hfind -i md5sum LIST (its index, once) then tsk_loaddb -h IMAGE (walk + file MD5s), foremost -t
#          jpg,png,gif,mp4,avi,pdf,zip on the image (foremost carves the whole image; Ferret only the
#          unallocated space, which is what a carver of a walked file system is for) and hfind -f with every
#          MD5 tsk_loaddb recorded.
# Prints the wall time, CPU time and peak RSS of each step, both totals (with and without the one-off set
# preparation) and the ratio against the target (<= 0.5x the anchor). Runs by hand, never in the tests.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
hashes=1000000
runs=1
image=
while (($#)); do
  case $1 in
    --build) build=$(realpath "$2"); shift 2 ;;
    --hashes) hashes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "usage: $0 [--build DIR] [--hashes N] [--runs R] [IMAGE]" >&2; exit 1 ;;
    *) image=$(realpath "$1"); shift ;;
  esac
done
for t in tsk_loaddb foremost hfind sqlite3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench-process: $t is missing (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
for t in ferret-process ferret-hashset ferret-bench-lookup; do
  [[ -x $build/bin/$t ]] || { echo "bench-process: $build/bin/$t is not built" >&2; exit 1; }
done
out=$here/out/process
mkdir -p "$out"
image=${image:-$here/out/bench-ext4.raw}
[[ -f $image ]] || "$here/make-bench-image.sh" "$image"
q() { printf '%q' "$1"; }

# measure NAME COMMAND: runs COMMAND under GNU time; prints "wall cpu rss_kib" (CPU = user + system).
measure() {
  local name=$1 cmd=$2 t=$out/time.txt
  /usr/bin/time -f '%e %U %S %M' -o "$t" bash -c "$cmd" >"$out/stdout-${name// /_}.txt" 2>"$out/stderr-${name// /_}.txt" || {
    echo "bench-process: '$name' failed (exit $?): see $out/stderr-${name// /_}.txt" >&2; exit 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$t"
}

# The hash set: generated MD5s plus 50 real ones (files of the image, taken from a quick walk).
list=$out/set-$hashes.md5
if [[ ! -f $list ]]; then
  echo "bench-process: making the $hashes-hash list" >&2
  "$build/bin/ferret-bench-lookup" generate $((hashes - 50)) "$list.part" >/dev/null
  rm -rf "$out/probe" && "$build/bin/ferret-process" --case "$out/probe" --no-carve --no-parse --no-report --quiet "$image"
  sqlite3 "$out/probe/case.db" "SELECT md5 || '  ' || name FROM files WHERE md5 IS NOT NULL AND size > 1000000 ORDER BY file_id LIMIT 50" >>"$list.part"
  mv "$list.part" "$list"
  rm -rf "$out/probe"
fi

cat "$image" >/dev/null  # the page cache, as for every benchmark here
best() { sort -n | head -1; }
declare -A wall cpu rss
run_step() {  # KEY NAME COMMAND
  local key=$1 name=$2 cmd=$3 w=() line
  for ((i = 0; i < runs; i++)); do
    line=$(measure "$name" "$cmd")
    echo "  $name run $((i + 1)): $line" >&2
    w+=("$line")
  done
  line=$(printf '%s\n' "${w[@]}" | sort -n | head -1)
  read -r "wall[$key]" "cpu[$key]" "rss[$key]" <<<"$line"
}

set=$out/set.ferret-hashset
run_step f_import "ferret-hashset import" "rm -f $(q "$set") && $(q "$build/bin/ferret-hashset") import --quiet --out $(q "$set") --name Releases --category notable $(q "$list")"
run_step f_process "ferret-process" "rm -rf $(q "$out/case") && $(q "$build/bin/ferret-process") --case $(q "$out/case") --hashset $(q "$set") --quiet --json $(q "$image")"
ln -sf "$(basename "$list")" "$out/hfind-list.md5"
run_step a_index "hfind -i md5sum" "rm -f $(q "$out/hfind-list.md5")-md5.idx* && hfind -i md5sum $(q "$out/hfind-list.md5")"
run_step a_loaddb "tsk_loaddb -h" "rm -f $(q "$out/loaddb.db") && tsk_loaddb -h -d $(q "$out/loaddb.db") $(q "$image")"
run_step a_foremost "foremost" "rm -rf $(q "$out/foremost") && foremost -Q -t jpg,png,gif,mp4,avi,pdf,zip -i $(q "$image") -o $(q "$out/foremost")"
sqlite3 "$out/loaddb.db" "SELECT md5 FROM tsk_files WHERE md5 IS NOT NULL AND md5 != ''" >"$out/loaddb-md5.txt"
run_step a_hfind "hfind -f" "hfind -f $(q "$out/loaddb-md5.txt") $(q "$out/hfind-list.md5")"

mib() { echo $(($1 / 1024)); }
printf '\n%-34s %8s %8s %9s\n' "step" "wall s" "CPU s" "peak MiB"
for k in f_import f_process a_index a_loaddb a_foremost a_hfind; do
  case $k in
    f_import) n="ferret-hashset import (once)" ;; f_process) n="ferret-process" ;;
    a_index) n="hfind -i md5sum (once)" ;; a_loaddb) n="tsk_loaddb -h" ;; a_foremost) n="foremost" ;; a_hfind) n="hfind -f (file MD5s)" ;;
  esac
  printf '%-34s %8s %8s %9s\n' "$n" "${wall[$k]}" "${cpu[$k]}" "$(mib "${rss[$k]}")"
done
sum() { awk -v a="$1" -v b="${2:-0}" -v c="${3:-0}" 'BEGIN { printf "%.2f", a + b + c }'; }
ferret_total=$(sum "${wall[f_import]}" "${wall[f_process]}")
anchor_total=$(sum "${wall[a_index]}" "${wall[a_loaddb]}" "$(sum "${wall[a_foremost]}" "${wall[a_hfind]}")")
anchor_run=$(sum "${wall[a_loaddb]}" "${wall[a_foremost]}" "${wall[a_hfind]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "with the set preparation:    ferret $ferret_total s, anchor $anchor_total s: $(ratio "$ferret_total" "$anchor_total")x (target <= 0.5)"
echo "without it (the case run):   ferret ${wall[f_process]} s, anchor $anchor_run s: $(ratio "${wall[f_process]}" "$anchor_run")x (target <= 0.5)"
db=$out/case/case.db
echo "ferret: $(sqlite3 "$db" "SELECT count(*) FROM files WHERE origin = 'fs'") files, $(sqlite3 "$db" "SELECT count(*) FROM files WHERE origin = 'carved'") carved," \
     "$(sqlite3 "$db" "SELECT count(DISTINCT file_id) FROM matches") files matched; hfind found $(grep -vc 'Hash Not Found' "$out/stdout-hfind_-f.txt" || true) of $(wc -l <"$out/loaddb-md5.txt") MD5s"
