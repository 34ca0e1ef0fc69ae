#!/usr/bin/env bash
# Carving benchmark (issue 6): ferret-ingest + ferret-carve --all-space against foremost and PhotoRec on
# the carving bench image, each scored against the image's ground truth.
#
#   bench/bench-carve.sh [--build DIR] [--tools LIST] [--run DIR] [--score-only] [IMAGE]
#
#   IMAGE         default bench/out/bench-carve.raw (built with bench/make-carve-image.sh if missing);
#                 its truth is IMAGE.truth.tsv
#   --build DIR   where ferret-ingest and ferret-carve are (DIR/bin), default build/
#   --tools LIST  comma-separated subset of ferret,foremost,photorec (default: all three; Ferret is
#                 skipped with a note when ferret-carve is not built yet)
#   --run DIR     where the outputs go (default bench/out/carve-run; emptied first)
#   --score-only  run nothing: score the outputs of the last run in that directory again
#
# Each tool runs once under GNU time -v (wall time, peak RSS) with the image in the page cache:
#   ferret    ferret-ingest --case C IMAGE, then ferret-carve --case C --all-space --json
#   foremost  foremost -t jpg,png,gif,mp4,avi,pdf,zip -i IMAGE -o DIR
#   photorec  photorec /log /d DIR /cmd IMAGE options,paranoid,keep_corrupted_file_no,fileopt,everything,
#             disable,jpg,enable,png,enable,gif,enable,mov,enable,riff,enable,pdf,enable,zip,enable,wholespace,search
#             (the same types: PhotoRec's `mov` covers MP4/MOV/3GP, `riff` AVI/WAV/WebP; whole space, as
#             foremost and ferret-carve --all-space)
# Then the score: a truth file counts as recovered when an output file (foremost, PhotoRec) or a carved
# item (Ferret: `SELECT sha256, carve_status FROM files WHERE origin = 'carved'` in case.db) has its
# SHA-256. Reported: recovery of the contiguous deleted files of the types jpg, png, gif, mp4, avi, pdf,
# zip (zip includes the DOCX-like packages) for every tool, of all families, per type, and for Ferret
# the share of `complete` items equal to a truth file (target 100%) and of contiguous deleted files
# recovered (target >= 99%). Outputs stay in the run directory until the next run.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
tools=ferret,foremost,photorec
image=
score_only=0
run=
usage() { echo "usage: $0 [--build DIR] [--tools ferret,foremost,photorec] [--run DIR] [--score-only] [IMAGE]"; }
while (($#)); do
  case $1 in
    --build) build=$(realpath "$2"); shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --score-only) score_only=1; shift ;;
    --run) run=$(realpath -m "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 1 ;;
    *) image=$1; shift ;;
  esac
done
out=$here/out
mkdir -p "$out"
image=$(realpath "${image:-$out/bench-carve.raw}")
[[ -f $image || $score_only == 1 ]] || "$here/make-carve-image.sh" "$image"
truth=$image.truth.tsv
[[ -f $truth ]] || { echo "no ground truth $truth (made by bench/make-carve-image.sh)" >&2; exit 1; }
for t in /usr/bin/time python3; do
  command -v "$t" >/dev/null || { echo "missing $t: scripts/install-deps.sh --bench" >&2; exit 1; }
done
want() { [[ ,$tools, == *,$1,* ]]; }
run=${run:-$out/carve-run}
if ((score_only)); then
  [[ -d $run ]] || { echo "no previous run in $run" >&2; exit 1; }
  t=
  [[ -f $run/time-ferret-carve.txt ]] && want ferret && t+=ferret,
  [[ -f $run/time-foremost.txt ]] && want foremost && t+=foremost,
  [[ -f $run/time-photorec.txt ]] && want photorec && t+=photorec,
  tools=$t
fi
if want foremost; then command -v foremost >/dev/null || { echo "missing foremost: scripts/install-deps.sh --bench" >&2; exit 1; }; fi
if want photorec; then command -v photorec >/dev/null || { echo "missing photorec (testdisk): scripts/install-deps.sh --bench" >&2; exit 1; }; fi
if ((!score_only)) && want ferret && [[ ! -x $build/bin/ferret-carve || ! -x $build/bin/ferret-ingest ]]; then
  echo "bench-carve: $build/bin/ferret-carve or ferret-ingest not built: Ferret skipped" >&2
  tools=${tools//ferret/}
fi

if ((!score_only)); then
  rm -rf "$run"
  mkdir -p "$run"
  echo "bench-carve: $image ($(($(stat -c %s "$image") / 1048576)) MiB), outputs in $run" >&2
  cat "$image" > /dev/null   # page cache

  # timed NAME CMD...: runs CMD under GNU time -v; its stdout goes to $run/stdout-NAME.txt.
  timed() {
    local name=$1; shift
    echo "bench-carve: $name: $*" >&2
    local rc=0
    /usr/bin/time -v -o "$run/time-$name.txt" "$@" > "$run/stdout-$name.txt" 2> "$run/stderr-$name.txt" || rc=$?
    # ferret tools end with 3 when the evidence is partly damaged; anything else non-zero is a failure
    if ((rc != 0 && rc != 3)); then echo "bench-carve: $name failed ($rc):" >&2; tail -5 "$run/stderr-$name.txt" >&2; exit 1; fi
  }

  if want ferret; then
    timed ferret-ingest "$build/bin/ferret-ingest" --case "$run/ferret-case" --json "$image"
    timed ferret-carve "$build/bin/ferret-carve" --case "$run/ferret-case" --all-space --json
  fi
  if want foremost; then
    timed foremost foremost -Q -t jpg,png,gif,mp4,avi,pdf,zip -i "$image" -o "$run/foremost"
  fi
  if want photorec; then
    mkdir -p "$run/photorec"
    (cd "$run/photorec" && timed photorec photorec /log /d "$run/photorec/recup" /cmd "$image" \
      options,paranoid,keep_corrupted_file_no,fileopt,everything,disable,jpg,enable,png,enable,gif,enable,mov,enable,riff,enable,pdf,enable,zip,enable,wholespace,search)
  fi
fi   # score_only

echo "bench-carve: scoring" >&2
python3 - "$truth" "$run" "$tools" <<'PY'
import hashlib, json, os, re, sqlite3, sys

truth_path, run, tools = sys.argv[1], sys.argv[2], [t for t in sys.argv[3].split(",") if t]
rows = [l.rstrip("\n").split("\t") for l in open(truth_path)]
col = {n: i for i, n in enumerate(rows[0])}
rows = [dict((n, r[i]) for n, i in col.items()) for r in rows[1:]]
truth_sha = {r["sha256"] for r in rows}
deleted = [r for r in rows if r["variant"] != "allocated" and r["contiguous"] == "1"]
COMMON = {"jpg", "png", "gif", "mp4", "avi", "pdf", "zip", "docx"}   # foremost -t jpg,png,gif,mp4,avi,pdf,zip
common = [r for r in deleted if r["type"] in COMMON]

def timing(name):
    p = os.path.join(run, f"time-{name}.txt")
    if not os.path.exists(p): return None
    t = open(p).read()
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", t).group(1)) for k in ("User", "System"))
    return secs, rss, cpu

def hash_tree(d):
    out = []
    for dp, _, fn in os.walk(d):
        for f in fn:
            if f in ("audit.txt", "photorec.log", "report.xml"): continue
            h = hashlib.sha256()
            with open(os.path.join(dp, f), "rb") as fh:
                while b := fh.read(1 << 22): h.update(b)
            out.append(h.hexdigest())
    return out

res = {}
if "ferret" in tools:
    db = sqlite3.connect(os.path.join(run, "ferret-case", "case.db"))
    items = db.execute("SELECT sha256, carve_status FROM files WHERE origin = 'carved'").fetchall()
    a, b = timing("ferret-ingest"), timing("ferret-carve")
    summary = {}
    try:
        j = json.load(open(os.path.join(run, "stdout-ferret-carve.txt")))
        def find(o, k):
            if isinstance(o, dict):
                if k in o: return o[k]
                for v in o.values():
                    r = find(v, k)
                    if r is not None: return r
            return None
        summary = {k: find(j, k) for k in ("found", "complete", "partial", "already_known")}
    except Exception as e:
        summary = {"error": str(e)}
    res["ferret"] = {"time": (a[0] + b[0], max(a[1], b[1]), a[2] + b[2]), "split": (a[0], b[0]),
                     "hashes": [s for s, _ in items if s], "items": items, "summary": summary}
for t, d in (("foremost", "foremost"), ("photorec", "photorec")):
    if t in tools:
        res[t] = {"time": timing(t), "hashes": hash_tree(os.path.join(run, d))}

names = [t for t in ("ferret", "foremost", "photorec") if t in res]
def pct(a, b): return f"{a}/{b} ({100.0 * a / b:.1f}%)" if b else "-"
def rec(t, subset):
    hs = set(res[t]["hashes"])
    return sum(1 for r in subset if r["sha256"] in hs), len(subset)

w = 26
print()
print(f"{'':44}" + "".join(f"{n:>{w}}" for n in names))
line = lambda label, vals: print(f"{label:44}" + "".join(f"{v:>{w}}" for v in vals))
line("wall time (s)", [(f"{res[n]['time'][0]:.1f}" + (f" ({res[n]['split'][0]:.1f}+{res[n]['split'][1]:.1f})" if n == "ferret" else "")) for n in names])
line("CPU time, user + system (s)", [f"{res[n]['time'][2]:.1f}" for n in names])
line("peak RSS (MiB)", [f"{res[n]['time'][1] / 1024:.0f}" for n in names])
line("files / items written", [str(len(res[n]["hashes"])) for n in names])
line("of which equal to a truth file", [pct(sum(1 for h in res[n]["hashes"] if h in truth_sha), len(res[n]["hashes"])) for n in names])
line("recovered byte-exact, contiguous deleted:", [""] * len(names))
line("  jpg png gif mp4 avi pdf zip", [pct(*rec(n, common)) for n in names])
line("  all families", [pct(*rec(n, deleted)) for n in names])
for typ in sorted({r["type"] for r in deleted}):
    sub = [r for r in deleted if r["type"] == typ]
    line(f"    {typ}" + ("" if typ in COMMON else "  (not asked of foremost)"), [pct(*rec(n, sub)) for n in names])
if "ferret" in res:
    f = res["ferret"]
    complete = [s for s, st in f["items"] if st == "complete"]
    partial = [s for s, st in f["items"] if st == "partial"]
    print()
    print(f"ferret-carve: {len(f['items'])} carved items recorded ({len(complete)} complete, {len(partial)} partial); "
          f"--json summary: {f['summary']}")
    print(f"  complete items equal to a truth file: {pct(sum(1 for s in complete if s in truth_sha), len(complete))} (target 100%)")
    r, n = rec("ferret", deleted)
    print(f"  contiguous deleted files recovered byte-exact: {pct(r, n)} (target >= 99%)")
    miss = [x for x in deleted if x["sha256"] not in set(f["hashes"])]
    if miss:
        print(f"  not recovered ({len(miss)}), first ones:")
        for x in miss[:10]: print(f"    {x['name']} ({x['type']}, {x['length']} bytes at {x['image_offset']})")
print()
print(f"truth: {len(rows)} files, {sum(1 for r in rows if r['variant'] != 'allocated')} deleted "
      f"({len(deleted)} contiguous, {len(common)} of them of the types jpg,png,gif,mp4,avi,pdf,zip)")
PY
