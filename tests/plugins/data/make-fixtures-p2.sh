#!/usr/bin/env bash
# Regenerates the torrent plugin's fixtures (torrent_*.torrent) and their expectations
# (torrent_expected.tsv): v1 torrents made by mktorrent, v2 and hybrid ones built by python3 per
# BEP 52, and every expected value (the info-hashes above all) computed by python3's own bencode
# decoder and hashlib over the raw info-dictionary bytes, independently of the plugin.
# Needs mktorrent, faketime and python3 (scripts/install-deps.sh --samples). Deterministic: fixed
# content, fixed clock; rerunning gives the same bytes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C

for tool in mktorrent faketime python3; do
  command -v "$tool" >/dev/null || { echo "make-fixtures-p2: $tool is missing (scripts/install-deps.sh --samples)" >&2; exit 1; }
done

# Content: small files of fixed pseudo-random bytes (a linear congruential stream, not the clock).
python3 - "$work" <<'PY'
import os, sys
root = sys.argv[1]
def blob(seed, n):
    out = bytearray(); x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        out.append(x >> 16 & 0xff)
    return bytes(out)
os.makedirs(f"{root}/single", exist_ok=True)
with open(f"{root}/single/Some.Film.2019.1080p.BluRay.x264-EVO.mkv", "wb") as f: f.write(blob(1, 70000))
m = f"{root}/multi/Show.Name.S01.720p.HDTV.x264-GRP"
os.makedirs(f"{m}/Subs", exist_ok=True)
with open(f"{m}/show.name.s01e01.720p.hdtv.x264-grp.mkv", "wb") as f: f.write(blob(2, 50000))
with open(f"{m}/show.name.s01e02.720p.hdtv.x264-grp.mkv", "wb") as f: f.write(blob(3, 41000))
with open(f"{m}/Subs/English.srt", "wb") as f: f.write(blob(4, 1200))
with open(f"{m}/grp.nfo", "wb") as f: f.write(b"Show.Name.S01.720p.HDTV.x264-GRP\r\n")
PY

# A single-file torrent by mktorrent with its creation date from a fixed clock.
(cd "$work/single" && faketime -f '2021-03-04 05:06:07' mktorrent -l 15 -a http://tracker.example.org:6969/announce \
  -c "ripped for the issue 8 fixtures" -o "$work/torrent_single.torrent" Some.Film.2019.1080p.BluRay.x264-EVO.mkv >/dev/null)
# A multi-file, private torrent with tiers of trackers and a source tag, without a date.
(cd "$work/multi" && mktorrent -d -p -l 15 -s PRIVTRK -a udp://tracker.one.example:1337/announce,http://backup.one.example/announce \
  -a http://tracker.two.example/announce -o "$work/torrent_multi.torrent" Show.Name.S01.720p.HDTV.x264-GRP >/dev/null)

python3 - "$work" "$here" <<'PY'
import hashlib, os, sys
work, out = sys.argv[1], sys.argv[2]

# ---- bencode, written here and not shared with the plugin ----
def enc(v):
    if isinstance(v, int): return b"i%de" % v
    if isinstance(v, str): v = v.encode()
    if isinstance(v, bytes): return b"%d:%s" % (len(v), v)
    if isinstance(v, list): return b"l" + b"".join(enc(x) for x in v) + b"e"
    if isinstance(v, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, x) for k, x in v.items())
        return b"d" + b"".join(enc(k) + enc(x) for k, x in items) + b"e"
    raise TypeError(v)

def dec(data, i=0, spans=None):
    """Decodes the value at i; returns (value, end). spans collects (key, start, end) of top-level entries."""
    c = data[i:i+1]
    if c == b"i":
        j = data.index(b"e", i); return int(data[i+1:j]), j + 1
    if c == b"l":
        i += 1; out = []
        while data[i:i+1] != b"e":
            v, i = dec(data, i); out.append(v)
        return out, i + 1
    if c == b"d":
        i += 1; out = {}
        while data[i:i+1] != b"e":
            k, i = dec(data, i); start = i
            v, i = dec(data, i); out[k] = v
            if spans is not None: spans.append((k, start, i))
        return out, i + 1
    j = data.index(b":", i); n = int(data[i:j]); return data[j+1:j+1+n], j + 1 + n

# ---- BEP 52 merkle trees ----
BLOCK = 16384
def merkle(leaves, count):
    layer = leaves + [bytes(32)] * (count - len(leaves))
    while len(layer) > 1:
        layer = [hashlib.sha256(layer[k] + layer[k+1]).digest() for k in range(0, len(layer), 2)]
    return layer[0]

def pow2(n):
    p = 1
    while p < n: p *= 2
    return p

def v2_file(data, piece_length):
    blocks = [hashlib.sha256(data[k:k+BLOCK]).digest() for k in range(0, len(data), BLOCK)]
    per_piece = piece_length // BLOCK
    if len(data) <= piece_length:
        return merkle(blocks, pow2(len(blocks))), None
    pieces = [merkle(blocks[k:k+per_piece], per_piece) for k in range(0, len(blocks), per_piece)]
    zero_piece = merkle([], per_piece)
    root = merkle(pieces + [zero_piece] * (pow2(len(pieces)) - len(pieces)), pow2(len(pieces)))
    return root, b"".join(pieces)

def build(files, name, piece_length, hybrid, extra_info=None):
    """files: [(path components, bytes)] in file-tree order."""
    tree, layers, v1files, stream = {}, {}, [], b""
    for n, (path, data) in enumerate(files):
        node = tree
        for c in path: node = node.setdefault(c, {})
        entry = {"length": len(data)}
        if data:
            root, layer = v2_file(data, piece_length)
            entry["pieces root"] = root
            if layer: layers[root] = layer
        node[""] = entry
        if hybrid:
            v1files.append({"length": len(data), "path": path}); stream += data
            pad = -len(data) % piece_length
            if pad and n + 1 < len(files):
                v1files.append({"attr": "p", "length": pad, "path": [".pad", str(pad)]}); stream += bytes(pad)
    info = {"file tree": tree, "meta version": 2, "name": name, "piece length": piece_length}
    if hybrid:
        info["files"] = v1files
        info["pieces"] = b"".join(hashlib.sha1(stream[k:k+piece_length]).digest() for k in range(0, len(stream), piece_length))
    info.update(extra_info or {})
    return enc({"announce": "http://v2.example/announce", "created by": "make-fixtures-p2.sh", "creation date": 1700000000,
                "info": info, "piece layers": layers})

def blob(seed, n):
    b = bytearray(); x = seed
    for _ in range(n):
        x = (x * 69069 + 1) & 0xffffffff; b.append(x >> 24)
    return bytes(b)

v2files = [(["Album", "01 - Intro.flac"], blob(5, 40000)), (["Album", "02 - Song.flac"], blob(6, 9000)), (["cover.jpg"], blob(7, 3000))]
with open(f"{work}/torrent_hybrid.torrent", "wb") as f: f.write(build(v2files, "Artist-Album-2020-GRP", 32768, True))
with open(f"{work}/torrent_v2.torrent", "wb") as f: f.write(build([(["Only.Film.2022.2160p.WEB-DL.x265-V2"], blob(8, 20000))], "Only.Film.2022.2160p.WEB-DL.x265-V2", 16384, False))

# Legacy encodings: a Latin-1 name and paths with their path.utf-8 twins, and one path that is not UTF-8 at all.
latin = {"announce": "http://latin.example/announce", "encoding": "ISO-8859-1", "info": {
    "files": [{"length": 10, "path": [b"Caf\xe9", b"menu.txt"], "path.utf-8": ["Caf\u00e9", "menu.txt"]},
              {"length": 20, "path": [b"na\xefve.txt"]}],
    "name": b"Fran\xe7ais", "name.utf-8": "Fran\u00e7ais", "piece length": 16384, "pieces": bytes(20)}}
with open(f"{work}/torrent_utf8.torrent", "wb") as f: f.write(enc(latin))

# ---- expectations, read back from the files as written ----
def text(b): return b.decode("utf-8", "backslashreplace")
rows = []
for fixture in ["torrent_single.torrent", "torrent_multi.torrent", "torrent_hybrid.torrent", "torrent_v2.torrent", "torrent_utf8.torrent"]:
    raw = open(f"{work}/{fixture}", "rb").read()
    spans = []
    top, end = dec(raw, 0, spans)
    assert end == len(raw)
    start, stop = next((s, e) for k, s, e in spans if k == b"info")
    info_raw = raw[start:stop]
    info = top[b"info"]
    exp = {"info_hash_v1": hashlib.sha1(info_raw).hexdigest()}
    if info.get(b"meta version") == 2: exp["info_hash_v2"] = hashlib.sha256(info_raw).hexdigest()
    name = text(info.get(b"name.utf-8", info[b"name"])); exp["name"] = name
    exp["piece_length"] = info[b"piece length"]
    files = []
    if b"files" in info:
        for e in info[b"files"]:
            if b"p" in e.get(b"attr", b""): continue
            files.append(("/".join(text(c) for c in e.get(b"path.utf-8", e[b"path"])), e[b"length"]))
    elif b"length" in info:
        files.append((name, info[b"length"]))
    else:
        def walk(node, path):
            for k in sorted(node):
                if k == b"": files.append(("/".join(path), node[k][b"length"]))
                else: walk(node[k], path + [text(k)])
        walk(info[b"file tree"], [])
    exp["file_count"] = len(files); exp["total_length"] = sum(l for _, l in files)
    if b"announce" in top: exp["announce"] = text(top[b"announce"])
    if b"announce-list" in top: exp["announce_list"] = "\\n".join(text(u) for tier in top[b"announce-list"] for u in tier)
    if b"created by" in top: exp["created_by"] = text(top[b"created by"])
    if b"creation date" in top:
        import datetime
        exp["creation_date"] = datetime.datetime.fromtimestamp(top[b"creation date"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if b"comment" in top: exp["comment"] = text(top[b"comment"])
    if b"private" in info: exp["private"] = 1 if info[b"private"] == 1 else 0
    if b"source" in info: exp["source"] = text(info[b"source"])
    for k, v in exp.items(): rows.append(f"{fixture}\ttorrent\t{k}\t{v}")
    for p, l in files: rows.append(f"{fixture}\ttorrent_file\t{p}\t{l}")
    with open(f"{out}/{fixture}", "wb") as f: f.write(raw)
with open(f"{out}/torrent_expected.tsv", "w") as f:
    f.write("# fixture\tkind\tattribute (torrent) or path (torrent_file)\tvalue or length; written by make-fixtures-p2.sh\n")
    f.write("\n".join(rows) + "\n")
PY
echo "make-fixtures-p2: wrote $(ls "$here"/torrent_* | wc -l) files into $here" >&2
