-- File content: hashes, type and state filled by ferret-hash; what ferret-extract wrote.

-- 1 when the recorded data runs hold compressed or encrypted bytes (NTFS, HFS+ compression): the
-- content is then decoded through The Sleuth Kit rather than read from the runs.
ALTER TABLE files ADD COLUMN encoded INTEGER NOT NULL DEFAULT 0;
-- What hashing found (NULL until hashed; directories, links and other non-files are never hashed):
--   intact       read in full; md5/sha1/sha256/mime are of that content
--   reallocated  a deleted file whose metadata or data blocks now belong to something else: its
--                recorded blocks no longer hold (only) its content, so it is not hashed
--   unreadable   part of the content could not be read (damaged media, runs outside the media)
--   no_content   the file system no longer says where the content is (e.g. a deleted ext4 inode)
ALTER TABLE files ADD COLUMN content_state TEXT
  CHECK (content_state IS NULL OR content_state IN ('intact', 'reallocated', 'unreadable', 'no_content'));
-- 1 when the name's extension contradicts the content type (a .txt that is a video), 0 when it
-- agrees, NULL when it cannot be told (no or unknown extension, uninformative type, not hashed).
ALTER TABLE files ADD COLUMN ext_mismatch INTEGER CHECK (ext_mismatch IS NULL OR ext_mismatch IN (0, 1));
-- The run that hashed the file.
ALTER TABLE files ADD COLUMN hash_run_id INTEGER REFERENCES runs(run_id);

CREATE INDEX files_pending_hash ON files(evidence_id, file_id) WHERE content_state IS NULL AND type = 'file';
CREATE INDEX files_sha256 ON files(sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX files_md5 ON files(md5) WHERE md5 IS NOT NULL;
CREATE INDEX files_sha1 ON files(sha1) WHERE sha1 IS NOT NULL;

-- One row per file written by ferret-extract.
CREATE TABLE extractions (
  extraction_id INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  file_id       INTEGER NOT NULL REFERENCES files(file_id),
  output_path   TEXT NOT NULL,             -- as written, relative to the output directory
  size          INTEGER NOT NULL,
  sha256        TEXT NOT NULL,             -- of the bytes written, read back from disk
  verified      INTEGER NOT NULL CHECK (verified IN (0, 1))  -- 1 when it equals files.sha256
);
CREATE INDEX extractions_file ON extractions(file_id);
