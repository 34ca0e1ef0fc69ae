-- Hash-set matches (ferret-match).

-- What the hash sets say the file is: 'notable' (a known protected release), 'known-good'
-- (NSRL-style), NULL when no set knows it. Notable wins when sets disagree.
ALTER TABLE files ADD COLUMN known TEXT CHECK (known IS NULL OR known IN ('notable', 'known-good'));

-- One row per (file, hash set, algorithm) that matched.
CREATE TABLE matches (
  match_id      INTEGER PRIMARY KEY,
  file_id       INTEGER NOT NULL REFERENCES files(file_id),
  hashset       TEXT NOT NULL,             -- the set's name as imported (ferret-hashset import --name)
  category      TEXT NOT NULL CHECK (category IN ('notable', 'known-good', 'other')),
  algorithm     TEXT NOT NULL CHECK (algorithm IN ('md5', 'sha1', 'sha256')),
  hash          TEXT NOT NULL,             -- lowercase hex, the file's digest that matched
  title         TEXT,                      -- from the set's entry, when it carries them
  release       TEXT,
  rights_holder TEXT,
  hashset_sha256 TEXT NOT NULL,            -- SHA-256 of the hash-set file used: which version of the set
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  UNIQUE (file_id, hashset, algorithm, hash)
);
CREATE INDEX matches_file ON matches(file_id);
CREATE INDEX matches_hashset ON matches(hashset, category);
