-- Chain of custody (lib/custody): an append-only, hash-chained log of every run, with seals over
-- the rows each run wrote. Written only by the custody code; checked by ferret-verify.

-- One entry per event: 'run-start', 'run-end', 'run-abandoned' (a run that never ended, sealed by
-- the next run as it found it). entry_hash = SHA-256(prev_hash || "\n" || body); body is canonical
-- JSON (keys sorted, no spaces) built from the rows of runs, custody_inputs and custody_seals.
CREATE TABLE custody_log (
  seq           INTEGER PRIMARY KEY,       -- 1, 2, 3 ... without gaps
  run_id        INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('run-start', 'run-end', 'run-abandoned')),
  body          TEXT NOT NULL,
  prev_hash     TEXT NOT NULL,             -- entry_hash of seq - 1 (64 zeros for the first)
  entry_hash    TEXT NOT NULL,
  public_key    TEXT,                      -- Ed25519 public key (hex) when the entry is signed
  signature     TEXT                       -- Ed25519 signature (hex) of entry_hash, when signed
);

-- What a run read: the evidence images, hash sets, plugins, keys ... with their SHA-256.
CREATE TABLE custody_inputs (
  run_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  kind          TEXT NOT NULL,             -- 'image', 'hashset', 'plugin', ...
  path          TEXT NOT NULL,
  sha256        TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Per run and result set (evidence, volumes, files, file_runs, matches, ...): how many rows the run
-- wrote and a digest over them, computed over the listed columns when the run ended.
CREATE TABLE custody_seals (
  run_id        INTEGER NOT NULL,
  result_set    TEXT NOT NULL,
  columns       TEXT NOT NULL,             -- comma-separated, in the order they were hashed
  rows          INTEGER NOT NULL,
  digest        TEXT NOT NULL,             -- SHA-256 over "key\thash\n" of every row, in key order
  PRIMARY KEY (run_id, result_set)
) WITHOUT ROWID;

-- Every sealed row's hash, so that a broken seal names the row that changed.
CREATE TABLE custody_rows (
  run_id        INTEGER NOT NULL,
  result_set    TEXT NOT NULL,
  row_key       TEXT NOT NULL,
  row_hash      TEXT NOT NULL,
  PRIMARY KEY (run_id, result_set, row_key)
) WITHOUT ROWID;
