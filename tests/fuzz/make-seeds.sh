#!/usr/bin/env bash
# Builds the seed corpus of every harness (tests/fuzz) from the repository's own fixtures and small
# synthetic inputs, into OUT/<harness>/ (default build-asan/corpus, git-ignored). Idempotent: files
# are named after their content's source, so running it again refreshes the same seeds.
# Usage: tests/fuzz/make-seeds.sh [OUT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-asan/corpus}
formats=$root/tests/formats/data
plugins=$root/tests/plugins/data
committed=$root/tests/fuzz/seeds
mkdir -p "$out"

# Fixtures smaller than 64 KiB (the harnesses' -max_len): copy FILE... into harness DIR.
copy_small() {
  local dir=$out/$1; shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [[ -f $f ]] || continue
    (( $(stat -c %s "$f") <= 65536 )) && cp -f "$f" "$dir/$(basename "$f")"
  done
  return 0
}
# A fixture with the plugin harness's path prefix ("FUZZPATH:<path>\n" then the content).
with_path() {  # harness path file name
  mkdir -p "$out/$1"
  { printf 'FUZZPATH:%s\n' "$2"; cat "$3"; } > "$out/$1/$4"
}

# The hand-picked seeds committed with the harnesses, whatever their size (a .ferret-hashset is at
# least 256 KiB).
for d in "$committed"/*/; do
  [[ -d $d ]] || continue
  mkdir -p "$out/$(basename "$d")"
  cp -f "$d"* "$out/$(basename "$d")/"
done

copy_small carve "$formats"/*
copy_small carve_bencode "$formats"/*.torrent
copy_small plugin_bencode "$formats"/*.torrent
copy_small plugin_torrent "$formats"/*.torrent
copy_small plugin_media "$plugins"/media_*.mp3 "$plugins"/media_*.mp4 "$plugins"/media_*.mov "$plugins"/media_*.avi "$plugins"/media_*.webm \
  "$formats"/*.mp4 "$formats"/*.mkv "$formats"/*.webm "$formats"/*.mp3 "$formats"/*.avi "$formats"/*.3gp "$formats"/*.mov "$formats"/*.m4a "$formats"/*.mka
copy_small plugin_exif "$plugins"/exif_*.jpg "$formats"/jpeg-exif-thumb.jpg
copy_small hashset_text "$root"/samples/sets/*
copy_small hashset_zip "$formats"/zip-*.zip "$formats"/zip-office.docx
with_path plugin_browser_downloads "/Users/x/AppData/Local/Google/Chrome/User Data/Default/History" "$plugins/browser_chrome_history.sqlite" chrome-history
with_path plugin_browser_downloads "/home/x/.mozilla/firefox/abcd.default-release/places.sqlite" "$plugins/browser_firefox_places.sqlite" firefox-places

# Synthetic inputs (python3: bencode, zip, SQLite, gzip).
python3 - "$out" "$root" <<'PY'
import gzip, io, json, os, sqlite3, sys, tempfile, zipfile
out, root = sys.argv[1], sys.argv[2]

def put(harness, name, data):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def be(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(be(x) for x in v) + b"e"
    if isinstance(v, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, x) for k, x in v.items())
        return b"d" + b"".join(be(k) + be(x) for k, x in items) + b"e"
    raise TypeError(v)

md5 = "d41d8cd98f00b204e9800998ecf8427e"
sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
text = {
    "md5sum.txt": f"{md5}  Some.Movie.2019.1080p.BluRay.x264-GROUP.mkv\n{md5} *binary name.bin\n\\{md5}  esc\\\\aped\\nname\n",
    "sha1sum.txt": f"{sha1}  a.txt\n# comment\n{sha1}\n",
    "sha256sum.txt": f"{sha256}  a.txt\r\n{sha256}  b.txt\r\n",
    "bsd-tag.txt": f"MD5 (a file.txt) = {md5}\nSHA256 (b) = {sha256}\n",
    "hashdeep.txt": "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /home\n## $ hashdeep -r .\n##\n"
                    f"0,{md5},{sha256},/home/x/empty.txt\n12,{md5},{sha256},\"/home/x/comma, name.txt\"\n",
    "list.csv": f"md5,sha1,sha256,size,title,release,rights_holder,url,file_name\n{md5},{sha1},{sha256},0,\"Title, The\",REL-GRP,Studio,http://x/,a.mkv\n"
                f"\"{md5}\",,,12,\"multi\nline\",,,,b.mkv\n",
    "nsrl-rds2.txt": '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\r\n'
                     f'"{sha1.upper()}","{md5.upper()}","00000000","empty.txt",0,1234,"358",""\r\n'
                     f'"{sha1.upper()}","{md5.upper()}","FFFFFFFF","name ""quoted"".exe",123456,1,"WIN","M"\r\n',
}
for name, body in text.items():
    put("hashset_text", name, body)
put("hashset_text", "md5sum.txt.gz", gzip.compress(text["md5sum.txt"].encode(), mtime=0))

vics2 = {"odata.context": "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/CUSTOM/$metadata#Media", "value": [
    {"MediaID": 1, "Category": 1, "MD5": md5.upper(), "SHA1": sha1, "MediaSize": 0, "RelativeFilePath": "a/b.jpg",
     "AlternativeHashes": [{"HashName": "SHA256", "HashValue": sha256}]},
    {"MediaID": 2, "SHA1": sha1, "MediaSize": "123", "MediaFiles": [{"FileName": "c.mp4"}]}]}
vics1 = {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml/$metadata#Cases", "value": [
    {"CaseID": "1", "Media": [{"MD5": md5, "FileName": "x.jpg", "MediaSize": "5"}, {"SHA1": sha1, "Name": "y"}]}]}
put("hashset_vics", "vics2.json", json.dumps(vics2, indent=1))
put("hashset_vics", "vics1.json", json.dumps(vics1))
put("hashset_vics", "metadata.json", '{"name":"Demo","version":1,"counts":[1,2.5e3,-0,true,false,null],"s":"\\u00e9\\ud83d\\ude00\\n"}')

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr(zipfile.ZipInfo("md5sum.txt"), text["md5sum.txt"], compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("list.csv"), text["list.csv"], compress_type=zipfile.ZIP_STORED)
    z.writestr(zipfile.ZipInfo("dir/"), "")
put("hashset_zip", "lists.zip", buf.getvalue())

with tempfile.TemporaryDirectory() as t:
    db = os.path.join(t, "rds.db")
    c = sqlite3.connect(db)
    c.execute("PRAGMA page_size=512")
    c.execute("CREATE TABLE FILE (sha256 TEXT, sha1 TEXT, md5 TEXT, crc32 TEXT, file_name TEXT, file_size INTEGER, package_id INTEGER)")
    c.execute("CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5 FROM FILE")
    c.executemany("INSERT INTO FILE VALUES (?,?,?,?,?,?,?)", [(sha256, sha1, md5, "0", "a.txt", 0, 1), (sha256.upper(), None, md5, "1", "b", "12", 2),
                                                              ("", sha1, "zz", "2", None, -1, 3)])
    c.commit(); c.close()
    put("hashset_rdsv3", "rdsv3-view.db", open(db, "rb").read())
    db2 = os.path.join(t, "rds2.db")
    c = sqlite3.connect(db2)
    c.execute("PRAGMA page_size=512")
    c.execute("CREATE TABLE FILE (md5 TEXT, file_name TEXT, file_size TEXT)")
    c.executemany("INSERT INTO FILE VALUES (?,?,?)", [(md5, "x", "5"), (md5, "y", " 7 "), (md5.upper(), "z", "n")])
    c.commit(); c.close()
    put("hashset_rdsv3", "rdsv3-file.db", open(db2, "rb").read())

info = {"name": "Some.Movie.2019.1080p.BluRay.x264-GROUP", "piece length": 16384, "pieces": b"\x01" * 20,
        "files": [{"length": 5, "path": ["a", "b.mkv"]}, {"length": 7, "path": ["c.nfo"]}]}
torrent = be({"announce": "udp://tracker.example:1337/announce", "announce-list": [["udp://a/"], ["http://b/"]], "comment": "x",
              "created by": "mktorrent 1.1", "creation date": 1577836800, "info": info})
v2info = {"name": "v2", "piece length": 16384, "meta version": 2, "file tree": {"a.mkv": {"": {"length": 5, "pieces root": b"\x02" * 32}}}}
torrent2 = be({"info": v2info, "piece layers": {}})
for h in ("carve", "carve_bencode", "plugin_bencode", "plugin_torrent"):
    put(h, "synthetic.torrent", torrent)
    put(h, "synthetic-v2.torrent", torrent2)
put("plugin_bencode", "nested", be([[[[{"a": [1, -2, "x"]}]]]]))

h = "0123456789abcdef0123456789abcdef01234567"
fast = be({"file-format": "libtorrent resume file", "file-version": 1, "info-hash": bytes.fromhex(h), "name": "Title.Of.Film.2019.1080p.BluRay.x264-EVO",
           "added_time": 1609459200, "completed_time": 1609462861, "save_path": "C:\\Users\\x\\Downloads\\", "qBt-savePath": "C:/Users/x/Downloads/",
           "qBt-category": "movies", "total_downloaded": 8123456789, "total_uploaded": 1234567, "trackers": [["udp://tracker.example:1337/announce"]],
           "info": info, "pieces": b"\x01" * 4})
put("plugin_torrent_client", "qbittorrent.fastresume", fast)
rec = lambda hh, cap: {"added_on": 1262304000, "caption": cap, "completed_on": 0, "downloaded": 5, "info": bytes.fromhex(hh), "path": "D:\\TV\\" + cap,
                       "uploaded": 1, "trackers": ["http://tracker.example/announce"], "labels": [], "label": ""}
resume = be({".fileguard": "8C3A2F0E1D4B5A6978C3A2F0E1D4B5A6978C3A2F", "A.torrent": rec("a" * 40, "Other.Show.S01E01.720p.HDTV.x264-GRP"),
             "B.torrent": rec(h, "Title.Of.Film.2019.1080p.BluRay.x264-EVO"), "rec": {"ip": "192.0.2.1"}})
put("plugin_torrent_client", "resume.dat", b"FUZZPATH:/Users/x/AppData/Roaming/uTorrent/resume.dat\n" + resume)
deluge = be({"0123456789abcdef0123456789abcdef01234567": fast})
put("plugin_torrent_client", "deluge", b"FUZZPATH:/home/x/.config/deluge/state/torrents.fastresume\n" + deluge)

nfo = ("Some.Movie.2019.1080p.BluRay.x264-GROUP\r\n\r\n  RELEASE DATE ..: 2019-05-01\r\n  SIZE .........: 8.1 GB\r\n"
       "  IMDB .........: https://www.imdb.com/title/tt0000001/\r\n  \xb0\xb1\xb2 GROUP \xb2\xb1\xb0\r\n").encode("latin-1")
put("plugin_release", "group.nfo", nfo)
sfv = "; Generated by WIN-SFV32 v1.1a\r\nsome.movie.2019.1080p.bluray.x264-group.r00 0A1B2C3D\r\nsome.movie.2019.1080p.bluray.x264-group.rar DEADBEEF\r\n"
put("plugin_release", "group.sfv", b"FUZZPATH:/Movies/Some.Movie.2019.1080p.BluRay.x264-GROUP/group.sfv\n" + sfv.encode())
put("plugin_release", "video", b"FUZZPATH:/Movies/Other.Show.S01E02.720p.WEB-DL.DD5.1.H.264-GRP/other.show.s01e02.720p.web-dl.dd5.1.h.264-grp.mkv\n\x1a\x45\xdf\xa3")
PY

# Media images: a small E01 made by ewfacquirestream when it is installed, and a split-raw pair.
mkdir -p "$out/image"
head -c 65536 /dev/zero | tr '\0' 'A' > "$out/image/split-raw"
if command -v ewfacquirestream > /dev/null; then
  tmp=$(mktemp -d)
  { printf 'FERRET FUZZ SEED '; head -c 32768 /dev/zero; } | ewfacquirestream -q -t "$tmp/seed" -C CASE-1 -D "fuzz seed" -E EV-1 -e Examiner \
    -N notes -c deflate:fast -S 1MiB > /dev/null 2>&1 || true
  [[ -f $tmp/seed.E01 ]] && (( $(stat -c %s "$tmp/seed.E01") <= 65536 )) && cp "$tmp/seed.E01" "$out/image/seed.E01"
  rm -rf "$tmp"
fi
for d in "$out"/*/; do
  echo "make-seeds: $(basename "$d"): $(find "$d" -type f | wc -l) input(s)"
done
