#!/usr/bin/env bash
# Regenerates the fixtures of the media, exif and browser_downloads plugin tests (media_*, exif_*,
# browser_* in this folder). The outputs are committed; run this only to regenerate them, then review
# the diff and the tests' expectations.
# Needs: ffmpeg/ffprobe with libx264, libx265, libvpx, libvorbis, libopus, libmp3lame (Debian's ffmpeg),
# exiftool (libimage-exiftool-perl), python3 with its sqlite3 module.
# The media oracles are ffprobe's own reports (<fixture>.ffprobe.json), taken right after each file is made.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=946684800

ff() { ffmpeg -hide_banner -loglevel error -y -threads 1 "$@"; }
probe() { ffprobe -v error -show_format -show_streams -of json "$1" > "$1.ffprobe.json"; }

# ---------------------------------------------------------------- media
# 2 s sources: a 320x240 test card at 10 fps and a 440 Hz tone. Encoders run single-threaded with
# bitexact flags, so the bytes depend on the ffmpeg build only.
video=(-f lavfi -i testsrc=size=320x240:rate=10)
tone=(-f lavfi -i sine=frequency=440:sample_rate=22050)
exact=(-fflags +bitexact -flags +bitexact -map_metadata -1 -map_chapters -1)
# Without the muxer's bitexact flag ffmpeg tags its own name and version as the encoder (©too, ISFT,
# TSSE): those files keep the codecs bitexact and let the encoder tag be read.
tagged=(-flags +bitexact -map_metadata -1 -map_chapters -1)
x264=(-c:v libx264 -preset veryfast -crf 45 -pix_fmt yuv420p -x264-params threads=1:sliced-threads=0)

ff "${video[@]}" "${tone[@]}" -t 2 "${x264[@]}" -c:a aac -b:a 16k "${tagged[@]}" -metadata title="Ferret MP4 fixture" \
   -movflags +faststart media_h264_aac.mp4
ff "${video[@]}" "${tone[@]}" -t 2 "${x264[@]}" -c:a aac -b:a 16k "${exact[@]}" -metadata title="Ferret MOV fixture" \
   media_h264_aac.mov
ff -f lavfi -i testsrc=size=160x120:rate=10 "${tone[@]}" -t 2 -c:v libx265 -preset ultrafast -crf 45 -tag:v hvc1 \
   -x265-params pools=none:frame-threads=1:log-level=error -c:a aac -b:a 16k "${exact[@]}" \
   -metadata title="Ferret HEVC fixture" media_hevc_aac.mp4
ff "${video[@]}" "${tone[@]}" -t 2 -c:v libvpx -b:v 60k -c:a libvorbis -q:a 0 "${exact[@]}" \
   -metadata title="Ferret WebM fixture" media_vp8_vorbis.webm
ff "${video[@]}" "${tone[@]}" -t 2 -c:v libvpx-vp9 -b:v 60k -row-mt 0 -c:a libopus -b:a 16k "${exact[@]}" \
   -metadata title="Ferret MKV fixture" media_vp9_opus.mkv
ff "${video[@]}" "${tone[@]}" -t 2 -c:v mpeg4 -q:v 20 -c:a libmp3lame -b:a 32k "${tagged[@]}" \
   -metadata title="Ferret AVI fixture" media_mpeg4_mp3.avi
# MP3: CBR with an Info frame (ID3v2.3), VBR with a Xing frame (ID3v2.4, TSSE), CBR without either header.
ff "${tone[@]}" -t 2 -c:a libmp3lame -b:a 32k "${exact[@]}" -metadata title="Ferret MP3 CBR" -id3v2_version 3 media_cbr_info.mp3
ff "${tone[@]}" -t 2 -c:a libmp3lame -q:a 6 "${tagged[@]}" -metadata title="Ferret MP3 VBR" -id3v2_version 4 media_vbr_xing.mp3
ff -f lavfi -i sine=frequency=440:sample_rate=44100 -t 2 -c:a libmp3lame -b:a 64k "${exact[@]}" \
   -metadata title="Ferret MP3 plain" -write_xing 0 -id3v2_version 3 media_cbr_plain.mp3
for f in media_*.mp4 media_*.mov media_*.webm media_*.mkv media_*.avi media_*.mp3; do probe "$f"; done

# ---------------------------------------------------------------- exif
# Baseline JPEGs from ffmpeg's encoder, EXIF written by exiftool (the common case: a camera's tags).
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 -q:v 8 -fflags +bitexact -flags +bitexact exif_plain.jpg
cp exif_plain.jpg exif_camera_be.jpg
exiftool -q -overwrite_original -ExifByteOrder=MM -Make=Canon -Model="Canon EOS 5D Mark IV" -Software="Firmware 1.2.0" \
  -Orientation#=6 -DateTimeOriginal="2023:07:14 15:42:07" -OffsetTimeOriginal="+02:00" \
  -GPSLatitude=48.8583701 -GPSLatitudeRef=N -GPSLongitude=2.2944813 -GPSLongitudeRef=E exif_camera_be.jpg
cp exif_plain.jpg exif_phone_le.jpg
exiftool -q -overwrite_original -ExifByteOrder=II -Make=Google -Model="Pixel 7" -Software="HDR+ 1.0.540104767zd" \
  -Orientation#=1 -DateTimeOriginal="2022:12:31 23:59:59" \
  -GPSLatitude=33.8567844 -GPSLatitudeRef=S -GPSLongitude=151.2152967 -GPSLongitudeRef=W exif_phone_le.jpg

# Hand-built APP1 segments (python3): known values, and the hostile ones the parser must survive.
python3 - <<'PY'
import struct

def ifd(bo, entries, next_offset, base):
    """An IFD at `base` (TIFF offsets): entries are (tag, type, count, payload bytes); payloads over
    four bytes go after the IFD. Returns the IFD bytes and its data area."""
    size = 2 + 12 * len(entries) + 4
    body, data = struct.pack(bo + 'H', len(entries)), b''
    for tag, typ, count, payload in entries:
        if len(payload) <= 4:
            body += struct.pack(bo + 'HHI', tag, typ, count) + payload.ljust(4, b'\0')
        else:
            body += struct.pack(bo + 'HHII', tag, typ, count, base + size + len(data))
            data += payload + (b'\0' if len(payload) % 2 else b'')
    return body + struct.pack(bo + 'I', next_offset) + data

def jpeg(tiff, name):
    plain = open('exif_plain.jpg', 'rb').read()
    app1 = b'Exif\0\0' + tiff
    seg = b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1
    open(name, 'wb').write(plain[:2] + seg + plain[2:])

def ascii(s): return s.encode() + b'\0'
def rationals(bo, pairs): return b''.join(struct.pack(bo + 'II', n, d) for n, d in pairs)

bo = '>'
# A big-endian TIFF: IFD0 at 8 with Make, Model, Orientation, Software, ExifIFD and GPS pointers;
# DateTimeOriginal with a negative offset; GPS as degrees/minutes/seconds rationals.
def handmade(make=b'Nikon\0', exif_ptr=None, gps_ptr=None, ifd0_next=0, extra=()):
    e0 = [(0x010F, 2, len(make), make), (0x0110, 2, 9, ascii('D850 PRO')), (0x0112, 3, 1, struct.pack(bo + 'H', 8)),
          (0x0131, 2, 12, ascii('Ver.1.10 FW'))]
    exif_at, gps_at = 200, 300
    e0 += [(0x8769, 4, 1, struct.pack(bo + 'I', exif_at if exif_ptr is None else exif_ptr)),
           (0x8825, 4, 1, struct.pack(bo + 'I', gps_at if gps_ptr is None else gps_ptr))]
    e0 += list(extra)
    e0.sort(key=lambda e: e[0])
    ifd0 = ifd(bo, e0, ifd0_next, 8)
    exif = ifd(bo, [(0x9003, 2, 20, ascii('2021:03:04 05:06:07')), (0x9011, 2, 7, ascii('-05:30'))], 0, exif_at)
    gps = ifd(bo, [(1, 2, 2, b'N\0'), (2, 5, 3, rationals(bo, [(51, 1), (30, 1), (2616, 100)])),
                   (3, 2, 2, b'W\0'), (4, 5, 3, rationals(bo, [(0, 1), (7, 1), (3942, 100)]))], 0, gps_at)
    tiff = b'MM\0*' + struct.pack(bo + 'I', 8) + ifd0
    tiff = tiff.ljust(exif_at, b'\0') + exif
    tiff = tiff.ljust(gps_at, b'\0') + gps
    return tiff

jpeg(handmade(), 'exif_handmade.jpg')
# Pointers far outside the segment, a Model whose count runs past it.
t = bytearray(handmade(exif_ptr=0x7FFFFFF0, gps_ptr=0xFFFFFFF0))
jpeg(bytes(t), 'exif_hostile_offsets.jpg')
# IFD0's next-IFD link points back to IFD0, and the GPS pointer at the Exif IFD's start is IFD0 too.
jpeg(handmade(gps_ptr=8, ifd0_next=8), 'exif_hostile_loop.jpg')
# Counts that overflow 32-bit byte sizes (0x20000001 rationals = 8 GiB + 8) and an IFD claiming 65535 entries.
t = bytearray(handmade(extra=[(0x011A, 5, 0x20000001, b'\0' * 8)]))
jpeg(bytes(t), 'exif_hostile_counts.jpg')
t = bytearray(handmade())
t[200:202] = struct.pack('>H', 0xFFFF)  # the Exif IFD's entry count
jpeg(bytes(t), 'exif_hostile_entries.jpg')
PY

# ---------------------------------------------------------------- browser_downloads
# Databases with the browsers' own table definitions (Chromium's History at version 70 as Chrome 13x
# writes it; Firefox's places.sqlite), rows with known values. The tests pass them under the names
# the browsers use (History, places.sqlite).
rm -f browser_chrome_history.sqlite browser_firefox_places.sqlite
python3 - <<'PY'
import sqlite3

db = sqlite3.connect('browser_chrome_history.sqlite')
db.executescript('''
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,from_visit INTEGER,external_referrer_url TEXT,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit INTEGER,originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER DEFAULT 0 NOT NULL,app_id TEXT);
CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,current_path LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT NULL,danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT NULL,embedder_download_data VARCHAR NOT NULL,tab_url VARCHAR NOT NULL,tab_referrer_url VARCHAR NOT NULL,http_method VARCHAR NOT NULL,by_ext_id VARCHAR NOT NULL,by_ext_name VARCHAR NOT NULL,by_web_app_id VARCHAR NOT NULL,etag VARCHAR NOT NULL,last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index) );
CREATE TABLE downloads_slices (download_id INTEGER NOT NULL,offset INTEGER NOT NULL,received_bytes INTEGER NOT NULL,finished INTEGER NOT NULL DEFAULT 0,PRIMARY KEY (download_id, offset) );
''')
db.executemany('INSERT INTO meta VALUES (?, ?)', [('version', '70'), ('last_compatible_version', '16')])
# Times are microseconds since 1601-01-01 UTC. 13354971630123456 is 2024-03-15T10:20:30.123456Z.
rows = [
    (1, '6f1c2a8e-0001-4b8e-9d2a-000000000001', 'C:\\Users\\alice\\Downloads\\setup.exe', 'C:\\Users\\alice\\Downloads\\setup.exe',
     13354971630123456, 1048576, 1048576, 1, 0, 0, b'', 13354971672999999, 1, 0, 0,
     'https://example.com/download', 'https://example.com/', '', 'https://example.com/download', '', 'GET', '', '', '', '', '',
     'application/x-msdownload', 'application/x-msdownload'),
    (2, '6f1c2a8e-0002-4b8e-9d2a-000000000002', '/home/bob/Downloads/big.iso.crdownload', '/home/bob/Downloads/big.iso',
     13354980000000000, 1200, 5000000, 4, 0, 20, b'', 0, 0, 0, 0,
     '', '', '', 'https://mirror.example.org/big.iso', '', 'GET', '', '', '', '', '', '', ''),
    (3, '6f1c2a8e-0003-4b8e-9d2a-000000000003', '', '/home/bob/Downloads/r\u00e9sum\u00e9.pdf',
     13355000000999999, 0, 0, 2, 3, 40, b'', 13355000001000000, 0, 0, 0,
     'https://jobs.example.net/', 'https://jobs.example.net/', '', 'https://jobs.example.net/apply', '', 'GET', '', '', '', '', '',
     'application/pdf', 'application/pdf'),
]
db.executemany('INSERT INTO downloads VALUES (' + ','.join('?' * 28) + ')', rows)
db.executemany('INSERT INTO downloads_url_chains VALUES (?, ?, ?)', [
    (1, 0, 'https://example.com/get/setup'), (1, 1, 'https://cdn.example.net/files/setup.exe'),
    (3, 0, 'https://jobs.example.net/files/r%C3%A9sum%C3%A9.pdf')])
db.execute("INSERT INTO urls VALUES (1, 'https://example.com/download', 'Download', 1, 0, 13354971600000000, 0)")
db.commit()
db.execute('VACUUM')
db.close()

# Firefox keeps its places database in WAL mode; closing checkpoints it, the header keeps saying WAL.
db = sqlite3.connect('browser_firefox_places.sqlite')
db.execute('PRAGMA journal_mode=WAL')
db.executescript('''
CREATE TABLE moz_origins ( id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL, frecency INTEGER NOT NULL, UNIQUE (prefix, host) );
CREATE TABLE moz_places (   id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date INTEGER , guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 NOT NULL , description TEXT, preview_image_url TEXT, origin_id INTEGER REFERENCES moz_origins(id));
CREATE TABLE moz_historyvisits (  id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);
CREATE TABLE moz_anno_attributes (  id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
CREATE TABLE moz_annos (  id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL, anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0, expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0, lastModified INTEGER DEFAULT 0);
CREATE UNIQUE INDEX moz_annos_placeattributeindex ON moz_annos (place_id, anno_attribute_id);
CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID ;
''')
db.executemany('INSERT INTO moz_places (id, url, title, rev_host, visit_count, hidden, frecency, last_visit_date, guid) VALUES (?,?,?,?,?,?,?,?,?)', [
    (1, 'https://www.mozilla.org/en-US/firefox/', 'Firefox', 'gro.allizom.www.', 1, 0, 100, 1699999990000000, 'AAAAAAAAAAA1'),
    (2, 'https://download.example.org/tool-1.2.tar.gz', 'tool-1.2.tar.gz', 'gro.elpmaxe.daolnwod.', 0, 0, 0, 1700000000123456, 'AAAAAAAAAAA2'),
    (3, 'https://example.org/report.pdf', 'report final.pdf', 'gro.elpmaxe.', 0, 0, 0, 1700001000000000, 'AAAAAAAAAAA3'),
    (4, 'https://example.org/pending.bin', 'pending.bin', 'gro.elpmaxe.', 0, 0, 0, 1700002000000000, 'AAAAAAAAAAA4'),
])
db.executemany('INSERT INTO moz_historyvisits VALUES (?,?,?,?,?,?)', [
    (1, 0, 1, 1699999990000000, 1, 0), (2, 1, 2, 1700000000123456, 7, 0), (3, 0, 3, 1700001000000000, 7, 0),
    (4, 0, 4, 1700002000000000, 7, 0)])
db.executemany('INSERT INTO moz_anno_attributes VALUES (?, ?)', [
    (1, 'downloads/destinationFileURI'), (2, 'downloads/metaData')])
# dateAdded and lastModified are microseconds since 1970; the metaData JSON's endTime is milliseconds.
db.executemany('INSERT INTO moz_annos (id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified) VALUES (?,?,?,?,?,?,?,?,?)', [
    (1, 2, 1, 'file:///home/carol/Downloads/tool-1.2.tar.gz', 0, 4, 3, 1700000000123456, 1700000000123456),
    (2, 2, 2, '{"state":1,"deleted":false,"endTime":1700000005678,"fileSize":2048000}', 0, 4, 3, 1700000005700000, 1700000005700000),
    (3, 3, 1, 'file:///C:/Users/Dave/Downloads/report%20final.pdf', 0, 4, 3, 1700001000000000, 1700001000000000),
    (4, 3, 2, '{"state":2,"deleted":false,"endTime":1700001002500}', 0, 4, 3, 1700001002600000, 1700001002600000),
    (5, 4, 1, 'file:///home/carol/Downloads/pending.bin', 0, 4, 3, 1700002000000000, 1700002000000000),
])
db.commit()
db.close()
PY

ls -l media_* exif_* browser_*
