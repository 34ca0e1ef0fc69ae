// The chain of custody: a hash-chained log of every run in the case, seals over the rows each run
// wrote, optional Ed25519 signatures, a plain-text copy of each run's chain head beside the
// database (custody.log), and the verification of all of it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "casedb/database.h"
#include "core/clock.h"
#include "core/result.h"

namespace ferret::custody {

// Something a run read, with its SHA-256 (images, hash sets, plugins ...).
struct Input {
  std::string kind;  // "image", "hashset", "plugin", "signing-key" ...
  std::string path;
  std::string sha256;  // lowercase hex; empty when unknown
};

// An Ed25519 private key that signs each entry the run appends (its hash).
class Signer {
 public:
  // A PEM private key (as `openssl genpkey -algorithm ed25519` writes). Errc::invalid_argument when
  // it is not an Ed25519 key, Errc::io when it cannot be read.
  static Result<Signer> load(const std::filesystem::path& pem);
  ~Signer();
  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  const std::string& public_key_hex() const { return public_key_hex_; }
  Result<std::string> sign_hex(std::string_view message) const;

 private:
  Signer() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string public_key_hex_;
};

// True when `signature_hex` is `public_key_hex`'s Ed25519 signature of `message`.
bool signature_holds(const std::string& public_key_hex, std::string_view message, const std::string& signature_hex);

// At the start of a run (after its `runs` row is written, with the case locked): seals every
// earlier run the log has not closed (killed, or from a Ferret before custody) as found, then
// appends the run's 'run-start' entry. One transaction.
// `seal_unfinished` false leaves them for a later run (ferret-verify checks the case as it finds it).
Status record_run_start(casedb::Database& db, std::int64_t run_id, const Clock& clock, const Signer* signer,
                        bool seal_unfinished = true);

struct Closed {
  std::int64_t seq = 0;
  std::string entry_hash;
  std::string sidecar_line;  // the line for custody.log
};

// At the end of a run (after its `runs` row has its end): records its inputs, seals every result
// set over the rows the run wrote, and appends the 'run-end' entry. One transaction.
Result<Closed> record_run_end(casedb::Database& db, std::int64_t run_id, const std::vector<Input>& inputs, const Signer* signer);

// Appends a line to DIR/custody.log (created when absent) and syncs it to disk.
Status append_sidecar(const std::filesystem::path& case_dir, const std::string& line);

// Appends to DIR/custody.log the line of every run-end entry of the case's log it lacks: a run killed
// between committing its end and writing its line (the one moment the two cannot be made atomic)
// would otherwise leave a gap that ferret-verify reports for ever. The lines are copies of entries
// the hash chain already holds, so adding them hides nothing; what custody.log is for (lines the
// case's log no longer has, or has otherwise) is untouched. Returns the entries whose lines it added,
// for the caller to say so. Not for ferret-verify, which checks the case as it finds it.
Result<std::vector<std::int64_t>> catch_up_sidecar(casedb::Database& db, const std::filesystem::path& case_dir);

inline constexpr const char* kSidecarName = "custody.log";

struct Finding {
  std::string area;     // "log", "signature", "sidecar", "runs", "results", "evidence"
  std::string message;  // what is wrong and where
};

struct VerifyProgress {
  std::string stage;
  std::uint64_t done = 0, total = 0;
};

struct VerifyOptions {
  bool check_evidence = true;
  std::string trusted_public_key_hex;  // non-empty: every signed entry must be signed by this key
  bool require_signatures = false;     // every entry must be signed
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const VerifyProgress&)> progress;
};

struct EvidenceCheck {
  std::int64_t evidence_id = 0;
  std::string path;
  std::string md5, sha1, sha256;  // as read now (empty when the evidence could not be read)
  bool matches = false;
};

struct VerifyReport {
  std::uint64_t entries = 0, runs = 0, seals = 0, rows = 0, signed_entries = 0, sidecar_lines = 0;
  std::vector<EvidenceCheck> evidence;
  std::vector<Finding> findings;  // in the order checked: the first is the first break found
  bool interrupted = false;
  bool ok() const { return findings.empty() && !interrupted; }
};

// Checks the chain (edited, deleted, inserted or reordered entries), signatures, custody.log, the
// runs rows against their entries, every sealed result set against the rows now present (naming
// rows changed, deleted or added), files.known against matches, and (unless told not to) the
// evidence: its container files are read again and hashed.
Result<VerifyReport> verify_case(casedb::Database& db, const std::filesystem::path& case_dir, const VerifyOptions& options);

std::string report_text(const VerifyReport& report);
std::string report_json(const VerifyReport& report);

}  // namespace ferret::custody
