-- Artifact-parser plugins (ferret-parse): the plugins a run loaded, what each said about each file it
-- was offered, and the artifacts they emitted.

-- Every plugin file a run considered: its SHA-256 taken before it was loaded, and whether it was used.
CREATE TABLE plugin_loads (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  path          TEXT NOT NULL,             -- the shared object, absolute
  sha256        TEXT NOT NULL,
  plugin        TEXT,                      -- its declared name (NULL when it could not be read)
  version       TEXT,
  abi_version   INTEGER,
  status        TEXT NOT NULL CHECK (status IN ('loaded', 'refused')),
  message       TEXT,                      -- why it was refused
  PRIMARY KEY (run_id, path)
) WITHOUT ROWID;

-- One row per (file, plugin) parsed: so a rerun does not parse a file twice with the same plugin,
-- and a plugin's failure on a file is on record.
CREATE TABLE plugin_results (
  file_id       INTEGER NOT NULL REFERENCES files(file_id),
  plugin        TEXT NOT NULL,
  plugin_version TEXT NOT NULL,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  status        TEXT NOT NULL CHECK (status IN ('ok', 'not_mine', 'malformed', 'failed', 'crashed', 'timeout', 'flood', 'unreadable')),
  artifacts     INTEGER NOT NULL,          -- artifacts recorded
  message       TEXT,                      -- the plugin's warnings, or what went wrong
  PRIMARY KEY (file_id, plugin)
) WITHOUT ROWID;

CREATE TABLE artifacts (
  artifact_id   INTEGER PRIMARY KEY,
  file_id       INTEGER NOT NULL REFERENCES files(file_id),
  plugin        TEXT NOT NULL,
  kind          TEXT NOT NULL,
  seq           INTEGER NOT NULL,          -- the artifact's number within its file for this plugin (1, 2, ...)
  plugin_version TEXT NOT NULL,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  UNIQUE (file_id, plugin, seq)
);
CREATE INDEX artifacts_by_kind ON artifacts(kind, plugin);

CREATE TABLE artifact_attributes (
  artifact_id   INTEGER NOT NULL REFERENCES artifacts(artifact_id),
  name          TEXT NOT NULL,
  value         TEXT,                      -- text as is; integers and reals in decimal; hex lowercase; times UTC ISO-8601
  type          TEXT NOT NULL CHECK (type IN ('text', 'int', 'hex', 'time', 'real')),
  PRIMARY KEY (artifact_id, name)
) WITHOUT ROWID;
CREATE INDEX artifact_attributes_by_value ON artifact_attributes(name, value);
