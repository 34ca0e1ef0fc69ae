-- Carving (ferret-carve): items found in unallocated space are rows of `files` with origin 'carved'.

-- 'complete': the format's structure was walked to a consistent end (the item is the whole file);
-- 'partial': the start is genuine but the end could not be proven (size = what was proven).
-- NULL for files from a file system.
ALTER TABLE files ADD COLUMN carve_status TEXT CHECK (carve_status IS NULL OR carve_status IN ('complete', 'partial'));
-- For partial items: what is missing or wrong ("no EOI marker before the end of the space").
ALTER TABLE files ADD COLUMN carve_detail TEXT;
-- The type the validator recognised: jpeg, png, gif, bmp, avi, wav, webp, mp4, mov, 3gp, mkv, webm,
-- mp3, flac, ogg, opus, pdf, zip, docx, ..., sqlite, torrent.
ALTER TABLE files ADD COLUMN carve_type TEXT;
-- Bytes from the start of the media to the item's first byte (also its single file_runs row).
ALTER TABLE files ADD COLUMN carve_offset INTEGER;
-- The run that carved the item.
ALTER TABLE files ADD COLUMN carve_run_id INTEGER REFERENCES runs(run_id);

-- One carved item per place on the media: carving again adds nothing twice.
CREATE UNIQUE INDEX files_carved_at ON files(evidence_id, carve_offset) WHERE origin = 'carved';

-- What each carving run scanned, and what it found there.
CREATE TABLE carve_scans (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  evidence_id   INTEGER NOT NULL REFERENCES evidence(evidence_id),
  space         TEXT NOT NULL CHECK (space IN ('unallocated', 'all')),
  types         TEXT NOT NULL,             -- comma-separated families carved for
  bytes_scanned INTEGER NOT NULL,
  candidates    INTEGER NOT NULL,          -- signature hits handed to a validator
  complete      INTEGER NOT NULL,          -- items found (new or recorded before), by status
  partial       INTEGER NOT NULL,
  already_known INTEGER NOT NULL,          -- items that are the content of a file already listed
  new_items     INTEGER NOT NULL,          -- rows this run added to files
  unreadable    INTEGER NOT NULL,          -- ranges of the space that could not be read
  PRIMARY KEY (run_id, evidence_id)
);
