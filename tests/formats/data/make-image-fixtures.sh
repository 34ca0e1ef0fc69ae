#!/usr/bin/env bash
# Regenerates the image/document carving fixtures in this folder with real tools, deterministically.
# Needs: ffmpeg, ImageMagick convert (the real one), cjpeg, exiftool, sqlite3, zip, mktorrent, python3.
# The outputs are committed; run this only to regenerate them (then review the diff).
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=946684800

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# ImageMagick without dates or tool versions in the output.
im() { convert "$@"; }

# --- source pictures (not committed) ---
ff -f lavfi -i testsrc=size=160x120:rate=1 -frames:v 1 -fflags +bitexact -flags +bitexact "$work/src.ppm"
ff -f lavfi -i testsrc=size=48x32:rate=1 -frames:v 1 -fflags +bitexact -flags +bitexact "$work/thumb.ppm"

# --- JPEG ---
ff -i "$work/src.ppm" -q:v 4 -fflags +bitexact -flags +bitexact -map_metadata -1 jpeg-baseline.jpg
cjpeg -quality 80 -progressive -optimize "$work/src.ppm" > jpeg-progressive.jpg
cjpeg -quality 75 -restart 1 "$work/src.ppm" > jpeg-restart.jpg
cjpeg -quality 70 "$work/thumb.ppm" > "$work/thumb.jpg"
# A flat picture with optimised tables: each block codes in two zero bits, so its scan data holds
# runs of thousands of 00 bytes (valid entropy data that looks like free space).
ff -f lavfi -i color=c=white:size=800x600:rate=1 -frames:v 1 -fflags +bitexact -flags +bitexact "$work/flat.ppm"
cjpeg -quality 90 -optimize "$work/flat.ppm" > jpeg-flat-optimized.jpg
cp jpeg-baseline.jpg jpeg-exif-thumb.jpg
exiftool -q -overwrite_original -n -Make=Ferret -Model=Fixture "-ThumbnailImage<=$work/thumb.jpg" jpeg-exif-thumb.jpg

# --- PNG ---
ff -i "$work/src.ppm" -fflags +bitexact -flags +bitexact -map_metadata -1 png-rgb.png
im "$work/src.ppm" -colors 16 -define png:exclude-chunks=date,time -strip png-palette.png

# --- GIF ---
# Three frames of an animation, and noise whose LZW data holds the bytes 00 3B (foremost's false end):
# the seed is the first that gives one before the trailer.
ff -f lavfi -i testsrc=size=64x48:rate=5 -frames:v 3 -fflags +bitexact -flags +bitexact "$work/f%d.ppm"
im -delay 20 -loop 0 "$work/f1.ppm" "$work/f2.ppm" "$work/f3.ppm" gif-animated.gif
for seed in $(seq 1 200); do
  im -seed "$seed" -size 64x64 xc:gray +noise Random -colors 64 "$work/noise.gif"
  if python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d.find(b"\x00\x3b") < len(d)-2 else 1)' "$work/noise.gif"; then
    cp "$work/noise.gif" gif-data-has-00-3b.gif
    break
  fi
done
test -s gif-data-has-00-3b.gif
im "$work/thumb.ppm" GIF87:gif-87a.gif

# --- BMP: ImageMagick for the common kinds, python for an OS/2 core header, 1 bpp and top-down ---
ff -f lavfi -i testsrc=size=61x37:rate=1 -frames:v 1 -fflags +bitexact -flags +bitexact "$work/odd.ppm"
im "$work/odd.ppm" BMP3:bmp-24bit.bmp
im "$work/odd.ppm" -colors 16 -type palette -compress RLE BMP3:bmp-rle8.bmp
im "$work/odd.ppm" -alpha set BMP:bmp-v5-32bit.bmp
python3 - <<'PY'
import struct
def rows(width, height, bpp, pixel):
    stride = (width * bpp + 31) // 32 * 4
    out = bytearray()
    for y in range(height):
        row = bytearray()
        if bpp == 1:
            bits = [pixel(x, y) & 1 for x in range(width)]
            for i in range(0, width, 8):
                v = 0
                for j, b in enumerate(bits[i:i+8]): v |= b << (7 - j)
                row.append(v)
        elif bpp == 16:
            for x in range(width): row += struct.pack('<H', pixel(x, y) & 0xFFFF)
        else:
            for x in range(width): row += bytes(((pixel(x, y) >> s) & 255) for s in (0, 8, 16))
        row += bytes(stride - len(row))
        out += row
    return bytes(out)
# OS/2 1.x: 12-byte core header, 24 bpp, no palette.
w, h = 33, 21
px = rows(w, h, 24, lambda x, y: (x * 7) | (y * 11) << 8 | ((x + y) * 5) << 16)
dib = struct.pack('<IHHHH', 12, w, h, 1, 24)
open('bmp-os2-core.bmp', 'wb').write(b'BM' + struct.pack('<IHHI', 14 + 12 + len(px), 0, 0, 26) + dib + px)
# 1 bpp, two-colour palette, 40-byte header.
w, h = 70, 40
px = rows(w, h, 1, lambda x, y: (x // 5 + y // 4) & 1)
dib = struct.pack('<IiiHHIIiiII', 40, w, h, 1, 1, 0, len(px), 2835, 2835, 2, 2)
pal = bytes([0, 0, 0, 0, 255, 255, 255, 0])
off = 14 + 40 + len(pal)
open('bmp-1bit.bmp', 'wb').write(b'BM' + struct.pack('<IHHI', off + len(px), 0, 0, off) + dib + pal + px)
# 16 bpp RGB565 bit fields, top-down (negative height), 56-byte header (the masks inside it).
w, h = 45, 30
px = rows(w, h, 16, lambda x, y: (x << 11) | (y << 5) | ((x ^ y) & 31))
dib = struct.pack('<IiiHHIIiiII', 56, w, -h, 1, 16, 3, len(px), 2835, 2835, 0, 0) + struct.pack('<IIII', 0xF800, 0x07E0, 0x001F, 0)
off = 14 + 56
open('bmp-565-topdown.bmp', 'wb').write(b'BM' + struct.pack('<IHHI', off + len(px), 0, 0, off) + dib + px)
PY

# --- RIFF: AVI (MJPEG), WAV, WebP ---
ff -f lavfi -i testsrc=size=64x48:rate=5 -frames:v 4 -c:v mjpeg -q:v 8 -fflags +bitexact -flags +bitexact -map_metadata -1 riff-mjpeg.avi
ff -f lavfi -i sine=frequency=440:sample_rate=8000:duration=0.25 -c:a pcm_s16le -fflags +bitexact -flags +bitexact -map_metadata -1 riff-sine.wav
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 -c:v libwebp -lossless 0 -q:v 50 -fflags +bitexact -flags +bitexact -map_metadata -1 riff-lossy.webp
ff -f lavfi -i testsrc=size=40x30:rate=1 -frames:v 1 -c:v libwebp -lossless 1 -fflags +bitexact -flags +bitexact -map_metadata -1 riff-lossless.webp
# An odd-sized chunk with its pad byte: 3 samples of 8-bit mono.
python3 - <<'PY'
import struct
fmt = struct.pack('<HHIIHH', 1, 1, 8000, 8000, 1, 8)
data = bytes([128, 140, 116])
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', 3) + data + b'\0'
open('riff-odd-chunk.wav', 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
PY

# --- PDF: Ghostscript, the same with an incremental update appended, a hand-written xref stream ---
printf '%%!PS\n/Helvetica findfont 24 scalefont setfont 72 720 moveto (Ferret fixture) show showpage\n' > "$work/page.ps"
gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -dCompatibilityLevel=1.4 -dOmitID -dOmitXMP -dOmitInfoDate \
  -sOutputFile=pdf-ghostscript.pdf "$work/page.ps"
python3 - <<'PY'
import re
# An incremental update: a new Info dictionary and a second xref section chained by /Prev.
base = open('pdf-ghostscript.pdf', 'rb').read()
prev = int(re.findall(rb'startxref\s+(\d+)', base)[-1])
size = int(re.search(rb'/Size (\d+)', base).group(1))
root = re.search(rb'/Root (\d+ \d+ R)', base).group(1)
upd = bytearray()
obj_off = len(base) + len(upd)
upd += b'%d 0 obj\n<< /Title (Ferret fixture, updated) /Producer (hand written) >>\nendobj\n' % size
xref_off = len(base) + len(upd)
upd += b'xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n' % (size, obj_off)
upd += b'trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (size + 1, root, size, prev, xref_off)
open('pdf-incremental.pdf', 'wb').write(base + bytes(upd))

# PDF 1.5 with a cross-reference stream (no xref table, no trailer keyword), uncompressed.
objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>']
content = b'0 0 1 rg 20 20 160 160 re f\n'
out = bytearray(b'%PDF-1.5\n%\xe2\xe3\xcf\xd3\n')
offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out)); out += b'%d 0 obj\n%s\nendobj\n' % (i, o)
offs.append(len(out)); out += b'4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n' % (len(content), content)
xref_off = len(out)
rows = bytes([0, 0, 0, 255]) + b''.join(bytes([1, o >> 8, o & 255, 0]) for o in offs) + bytes([1, xref_off >> 8, xref_off & 255, 0])
out += b'5 0 obj\n<< /Type /XRef /Size 6 /W [1 2 1] /Root 1 0 R /Length %d >>\nstream\n' % len(rows) + rows + b'\nendstream\nendobj\n'
out += b'startxref\n%d\n%%%%EOF\n' % xref_off
open('pdf-xref-stream.pdf', 'wb').write(bytes(out))
PY

# --- ZIP family: Info-ZIP (plain and forced ZIP64), python zipfile for streamed data descriptors and
#     the typed containers (docx/xlsx/pptx, odt/ods, epub, jar, apk), all with fixed times ---
mkdir -p "$work/z"
( cd "$work/z"
  for i in $(seq 1 40); do printf 'hello ferret %d\n' "$i"; done > a.txt
  seq 1 2000 > b.txt
  touch -d '2000-01-01 00:00:00' a.txt b.txt
  zip -q -X "$out/zip-infozip.zip" a.txt b.txt
  zip -q -X -fz "$out/zip-zip64.zip" a.txt b.txt )
python3 - <<'PY'
import io, zipfile
T = (2000, 1, 1, 0, 0, 0)
def member(z, name, data, method=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, T); info.compress_type = method; info.external_attr = 0o644 << 16
    z.writestr(info, data)
class Unseekable(io.RawIOBase):
    # Makes zipfile stream: sizes go into data descriptors after each member's data.
    def __init__(self): self.buf = bytearray()
    def writable(self): return True
    def write(self, b): self.buf += b; return len(b)
s = Unseekable()
with zipfile.ZipFile(s, 'w') as z:
    member(z, 'notes.txt', b'streamed member\n' * 30)
    member(z, 'stored.bin', bytes(range(256)), zipfile.ZIP_STORED)
open('zip-data-descriptor.zip', 'wb').write(bytes(s.buf))
ct = b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
for ext, part in (('docx', 'word/document.xml'), ('xlsx', 'xl/workbook.xml'), ('pptx', 'ppt/presentation.xml')):
    with zipfile.ZipFile('zip-office.%s' % ext, 'w') as z:
        member(z, '[Content_Types].xml', ct)
        member(z, '_rels/.rels', b'<Relationships/>')
        member(z, part, b'<x>ferret fixture</x>' * 10)
for ext, mime in (('odt', b'application/vnd.oasis.opendocument.text'), ('ods', b'application/vnd.oasis.opendocument.spreadsheet'),
                  ('epub', b'application/epub+zip')):
    with zipfile.ZipFile('zip-mimetype.%s' % ext, 'w') as z:
        member(z, 'mimetype', mime, zipfile.ZIP_STORED)
        member(z, 'META-INF/manifest.xml' if ext != 'epub' else 'META-INF/container.xml', b'<manifest/>')
        member(z, 'content.xml', b'<office:document-content/>' * 5)
with zipfile.ZipFile('zip-app.jar', 'w') as z:
    member(z, 'META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\r\nCreated-By: ferret\r\n\r\n')
    member(z, 'org/ferret/Fixture.class', bytes.fromhex('cafebabe00000034') + bytes(40))
with zipfile.ZipFile('zip-app.apk', 'w') as z:
    member(z, 'AndroidManifest.xml', bytes.fromhex('03000800') + bytes(60))
    member(z, 'classes.dex', b'dex\n035\0' + bytes(100))
    member(z, 'META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\r\n\r\n')
with zipfile.ZipFile('zip-commented.zip', 'w') as z:
    z.comment = b'an archive comment that ends the file'
    member(z, 'c.txt', b'commented archive\n')
PY

# --- SQLite ---
rm -f sqlite-small.sqlite
sqlite3 sqlite-small.sqlite <<'SQL'
PRAGMA page_size = 1024;
CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT, size INTEGER);
CREATE INDEX files_name ON files(name);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
INSERT INTO files (name, size) SELECT printf('file-%04d.bin', i), i * 37 FROM n;
CREATE TABLE notes (t TEXT);
INSERT INTO notes VALUES ('ferret fixture');
SQL
# Blobs of zeros: their overflow pages are all zeros, real pages only because cells point at them.
rm -f sqlite-zeroblob.sqlite
sqlite3 sqlite-zeroblob.sqlite <<'SQL'
PRAGMA page_size = 512;
CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB);
INSERT INTO blobs (data) VALUES (zeroblob(600)), (zeroblob(3000)), (x'0102'), (zeroblob(1500));
SQL

# --- torrent ---
mkdir -p "$work/t"
seq 1 5000 > "$work/t/payload.txt"
touch -d '2000-01-01 00:00:00' "$work/t/payload.txt"
rm -f torrent-mktorrent.torrent
mktorrent -d -a http://tracker.invalid/announce -c 'ferret fixture' -l 15 -o torrent-mktorrent.torrent "$work/t/payload.txt" > /dev/null
python3 - <<'PY'
# A multi-file torrent with an announce-list, written directly in bencode.
import hashlib
def be(v):
    if isinstance(v, int): return b'i%de' % v
    if isinstance(v, bytes): return b'%d:%s' % (len(v), v)
    if isinstance(v, str): return be(v.encode())
    if isinstance(v, list): return b'l' + b''.join(be(x) for x in v) + b'e'
    return b'd' + b''.join(be(k) + be(v[k]) for k in sorted(v)) + b'e'
data = bytes(range(256)) * 300
piece = 16384
pieces = b''.join(hashlib.sha1(data[i:i + piece]).digest() for i in range(0, len(data), piece))
t = {b'announce': 'udp://tracker.invalid:80', b'announce-list': [['udp://tracker.invalid:80'], ['http://backup.invalid/a']],
     b'comment': 'ferret multi-file fixture', b'creation date': 946684800,
     b'info': {b'name': 'album', b'piece length': piece, b'pieces': pieces,
               b'files': [{b'length': 40000, b'path': ['one.bin']}, {b'length': len(data) - 40000, b'path': ['sub', 'two.bin']}]}}
open('torrent-multifile.torrent', 'wb').write(be(t))
PY
