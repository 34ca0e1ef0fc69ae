-- Ferret case database, migration 0001: the ingest foundation.
-- Public contract (documented in schemas/README.md): evidence, volumes, files, runs.
-- Never rename a table or column listed there; extend by adding columns in a later migration.

-- Case-wide facts: case_number, created_at, created_by (key/value, one row each).
CREATE TABLE case_info (
  key    TEXT PRIMARY KEY,
  value  TEXT
);

CREATE TABLE runs (
  run_id        INTEGER PRIMARY KEY,
  tool          TEXT NOT NULL,             -- e.g. 'ferret-ingest'
  version       TEXT NOT NULL,             -- tool version
  build_id      TEXT,                      -- source commit of the build
  command_line  TEXT NOT NULL,             -- full argv, shell-quoted
  examiner      TEXT,
  host          TEXT,
  started_at    TEXT NOT NULL,             -- UTC ISO-8601
  finished_at   TEXT,                      -- NULL while running, or if the run was killed
  exit_code     INTEGER,                   -- 0 ok, 1 usage, 2 failure, 3 corrupt/unreadable evidence, 130 interrupted
  summary       TEXT                       -- JSON summary of what the run did
);

CREATE TABLE evidence (
  evidence_id           INTEGER PRIMARY KEY,
  path                  TEXT NOT NULL,     -- absolute path of the (first) container file
  format                TEXT NOT NULL CHECK (format IN ('raw', 'split-raw', 'e01')),
  size                  INTEGER NOT NULL,  -- media bytes
  sector_size           INTEGER NOT NULL,
  md5                   TEXT,              -- lowercase hex of the whole media content
  sha1                  TEXT,
  sha256                TEXT,
  case_number           TEXT,
  evidence_number       TEXT,
  examiner              TEXT,
  description           TEXT,
  notes                 TEXT,
  acquired_at           TEXT,
  acquisition_software  TEXT,
  stored_md5            TEXT,              -- from the E01, NULL otherwise
  stored_sha1           TEXT,
  stored_hashes_match   INTEGER,           -- 1 every stored hash equals the computed one, 0 a mismatch, NULL none stored
  unreadable_bytes      INTEGER NOT NULL DEFAULT 0,
  ingest_run_id         INTEGER REFERENCES runs(run_id)
);

-- Container files that make up each evidence item (one for raw, several for split raw / segmented E01).
CREATE TABLE evidence_segments (
  evidence_id  INTEGER NOT NULL REFERENCES evidence(evidence_id),
  seq          INTEGER NOT NULL,
  path         TEXT NOT NULL,
  size         INTEGER NOT NULL,
  PRIMARY KEY (evidence_id, seq)
);

CREATE TABLE volumes (
  volume_id     INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(evidence_id),
  start_offset  INTEGER NOT NULL,          -- bytes from the start of the media
  length        INTEGER NOT NULL,          -- bytes
  description   TEXT,                      -- partition description, or 'whole media' for a bare file system
  fs_type       TEXT,                      -- TSK's name (ntfs, fat32, ext4, ...), NULL when no file system was recognised
  partition_slot TEXT,                     -- table:slot as TSK reports it, NULL for a bare file system
  block_size    INTEGER,
  fs_error      TEXT                       -- why no file system could be opened, when none was
);

CREATE TABLE files (
  file_id       INTEGER PRIMARY KEY,
  evidence_id   INTEGER NOT NULL REFERENCES evidence(evidence_id),
  volume_id     INTEGER REFERENCES volumes(volume_id),
  origin        TEXT NOT NULL DEFAULT 'fs' CHECK (origin IN ('fs', 'carved', 'derived')),
  path          TEXT NOT NULL,             -- absolute from the file-system root, '/' separators; NTFS streams as path:stream
  name          TEXT NOT NULL,
  name_raw      BLOB,                      -- the name's bytes when they are not valid UTF-8 (path/name then escape them as \xNN)
  short_name    TEXT,                      -- FAT 8.3 name
  meta_addr     INTEGER,                   -- inode / MFT entry / directory-entry address
  attr_type     INTEGER,                   -- NTFS attribute type (128 $DATA, 144 $INDEX_ROOT), NULL elsewhere
  attr_id       INTEGER,                   -- NTFS attribute id
  type          TEXT NOT NULL CHECK (type IN ('file', 'dir', 'symlink', 'other')),
  size          INTEGER,
  allocated     INTEGER NOT NULL CHECK (allocated IN (0, 1)),  -- the name, as TSK reports it
  meta_allocated INTEGER,                  -- the metadata entry: 1, 0, NULL when there is none
  reallocated   INTEGER NOT NULL DEFAULT 0,-- deleted name whose metadata now belongs to another file
  orphan        INTEGER NOT NULL DEFAULT 0,-- found only by its metadata ($OrphanFiles)
  virtual       INTEGER NOT NULL DEFAULT 0,-- TSK-made entry ($OrphanFiles, $MBR, $FAT1 ...)
  mtime         TEXT,                      -- UTC ISO-8601 or NULL
  atime         TEXT,
  ctime         TEXT,
  crtime        TEXT,
  md5           TEXT,
  sha1          TEXT,
  sha256        TEXT,
  mime          TEXT
);

-- Where each file's content lies on the media: image byte offsets, so every result can say where on the disk it came from.
CREATE TABLE file_runs (
  file_id       INTEGER NOT NULL REFERENCES files(file_id),
  seq           INTEGER NOT NULL,
  file_offset   INTEGER NOT NULL,          -- bytes into the file
  image_offset  INTEGER,                   -- bytes into the media; NULL for sparse runs
  length        INTEGER NOT NULL,
  sparse        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;

-- Space no file system claims: unallocated blocks of each file system, partitions without one, and
-- media outside every partition (volume_id NULL). What the carver scans.
CREATE TABLE unallocated (
  evidence_id   INTEGER NOT NULL REFERENCES evidence(evidence_id),
  volume_id     INTEGER REFERENCES volumes(volume_id),
  start_offset  INTEGER NOT NULL,
  length        INTEGER NOT NULL
);

-- Problems met in the evidence (unreadable ranges, corrupt structures), kept with the run that met them.
CREATE TABLE errors (
  error_id      INTEGER PRIMARY KEY,
  run_id        INTEGER REFERENCES runs(run_id),
  evidence_id   INTEGER REFERENCES evidence(evidence_id),
  volume_id     INTEGER REFERENCES volumes(volume_id),
  file_id       INTEGER REFERENCES files(file_id),
  kind          TEXT NOT NULL,             -- 'unreadable', 'corrupt', 'unsupported'
  image_offset  INTEGER,
  length        INTEGER,
  message       TEXT NOT NULL
);

CREATE INDEX files_by_evidence ON files(evidence_id, volume_id);
CREATE INDEX files_by_path ON files(path);
CREATE INDEX volumes_by_evidence ON volumes(evidence_id);
CREATE INDEX unallocated_by_evidence ON unallocated(evidence_id, volume_id);
