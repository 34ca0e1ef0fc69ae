// Writing the chain of custody: entries, seals, signatures and the custody.log sidecar.
#include "custody/custody.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <tuple>
#include <vector>

#include "core/text.h"
#include "custody/entries.h"
#include "custody/result_sets.h"

namespace ferret::custody {

using casedb::Database;

// ---- signing ----

struct Signer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

Signer::~Signer() = default;
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

Result<Signer> Signer::load(const std::filesystem::path& pem) {
  FILE* f = std::fopen(pem.c_str(), "rb");
  if (!f) return make_error(Errc::io, "cannot read the signing key " + pem.string() + ": " + std::strerror(errno));
  EVP_PKEY* pkey = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!pkey) return make_error(Errc::invalid_argument, pem.string() + " is not a PEM private key (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)");
  Signer signer;
  signer.key_ = std::make_unique<Key>();
  signer.key_->pkey = pkey;
  if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) return make_error(Errc::invalid_argument, pem.string() + " is not an Ed25519 key");
  unsigned char pub[32];
  std::size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 || len != sizeof pub) {
    return make_error(Errc::internal, "OpenSSL cannot give the public half of " + pem.string());
  }
  signer.public_key_hex_ = to_hex(std::span<const unsigned char>(pub, len));
  return signer;
}

Result<std::string> Signer::sign_hex(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  const bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey) == 1 &&
                  EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return make_error(Errc::internal, "OpenSSL could not sign the custody entry");
  return to_hex(std::span<const unsigned char>(sig, len));
}

namespace {
bool from_hex(const std::string& hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<unsigned char>(hi << 4 | lo));
  }
  return true;
}
}  // namespace

bool signature_holds(const std::string& public_key_hex, std::string_view message, const std::string& signature_hex) {
  std::vector<unsigned char> pub, sig;
  if (!from_hex(public_key_hex, pub) || pub.size() != 32 || !from_hex(signature_hex, sig) || sig.size() != 64) return false;
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size());
  if (!pkey) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return ok;
}

// ---- appending ----

namespace {

Result<std::int64_t> append_entry(Database& db, std::int64_t run_id, const char* kind, const std::string& body, const Signer* signer,
                                  std::string& entry_hash) {
  auto last = db.prepare("SELECT seq, entry_hash FROM custody_log ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.error();
  auto row = last->step();
  if (!row.ok()) return row.error();
  std::int64_t seq = 1;
  std::string prev(64, '0');
  if (*row) {
    seq = last->column_int(0) + 1;
    prev = last->column_text(1);
  }
  entry_hash = chain_hash(prev, body);
  std::optional<std::string> public_key, signature;
  if (signer) {
    auto signed_hash = signer->sign_hex(entry_hash);
    if (!signed_hash.ok()) return signed_hash.error();
    public_key = signer->public_key_hex();
    signature = *signed_hash;
  }
  auto insert = db.prepare(
      "INSERT INTO custody_log(seq, run_id, kind, body, prev_hash, entry_hash, public_key, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, seq).bind(2, run_id).bind(3, kind).bind(4, body).bind(5, prev).bind(6, entry_hash).bind(7, public_key).bind(8, signature);
  FERRET_TRY(insert->run());
  return seq;
}

// Seals every result set over the rows `run_id` wrote: custody_seals and custody_rows.
Status seal_results(Database& db, std::int64_t run_id) {
  auto seal = db.prepare("INSERT OR REPLACE INTO custody_seals(run_id, result_set, columns, rows, digest) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!seal.ok()) return seal.error();
  auto row = db.prepare("INSERT OR REPLACE INTO custody_rows(run_id, result_set, row_key, row_hash) VALUES (?1, ?2, ?3, ?4)");
  if (!row.ok()) return row.error();
  for (const ResultSet& set : result_sets()) {
    auto groups = collect_rows(db, set, set.columns, run_id);
    if (!groups.ok()) return groups.error().with_context("sealing " + std::string(set.name));
    auto it = groups->find(run_id);
    if (it == groups->end() || it->second.empty()) continue;
    const auto& rows = it->second;
    seal->reset();
    seal->bind(1, run_id).bind(2, set.name).bind(3, set.columns).bind(4, static_cast<std::int64_t>(rows.size())).bind(5, seal_digest(rows));
    FERRET_TRY(seal->run());
    for (const SealedRow& r : rows) {
      row->reset();
      row->bind(1, run_id).bind(2, set.name).bind(3, r.key).bind(4, r.hash);
      FERRET_TRY(row->run());
    }
  }
  return {};
}

// A transaction of its own, or, inside the caller's (finish_case_session records the runs row and
// the run-end entry together), a savepoint: all of `body` or none of it either way.
template <class F>
Status in_transaction(Database& db, F&& body) {
  return casedb::all_or_nothing(db, "custody", std::forward<F>(body));
}

// A run-end entry's line in custody.log: seq, entry hash, run, tool, exit code, finished_at (tab-separated).
Result<std::string> sidecar_line(Database& db, std::int64_t seq, const std::string& entry_hash, std::int64_t run_id) {
  auto run = db.prepare("SELECT tool, coalesce(exit_code, ''), coalesce(finished_at, '') FROM runs WHERE run_id = ?1");
  if (!run.ok()) return run.error();
  run->bind(1, run_id);
  auto row = run->step();
  if (!row.ok()) return row.error();
  return std::to_string(seq) + "\t" + entry_hash + "\t" + std::to_string(run_id) + "\t" +
         (*row ? run->column_text(0) + "\t" + run->column_text(1) + "\t" + run->column_text(2) : std::string("\t\t"));
}
}  // namespace

Status record_run_start(Database& db, std::int64_t run_id, const Clock& clock, const Signer* signer, bool seal_unfinished) {
  return in_transaction(db, [&]() -> Status {
    // Earlier runs the log never closed: killed before their end, or run by a Ferret without custody.
    auto open = db.prepare(
        "SELECT run_id FROM runs WHERE run_id < ?1 AND run_id NOT IN "
        "(SELECT run_id FROM custody_log WHERE kind IN ('run-end', 'run-abandoned')) ORDER BY run_id");
    if (!open.ok()) return open.error();
    open->bind(1, run_id);
    std::vector<std::int64_t> abandoned;
    while (seal_unfinished) {
      auto row = open->step();
      if (!row.ok()) return row.error();
      if (!*row) break;
      abandoned.push_back(open->column_int(0));
    }
    const std::string now = clock.now_iso8601();
    for (std::int64_t r : abandoned) {
      FERRET_TRY(seal_results(db, r));
      auto body = end_body(db, r, "run-abandoned", AbandonedBy{run_id, now});
      if (!body.ok()) return body.error();
      std::string hash;
      auto seq = append_entry(db, r, "run-abandoned", *body, signer, hash);
      if (!seq.ok()) return seq.error();
    }
    auto body = start_body(db, run_id);
    if (!body.ok()) return body.error();
    std::string hash;
    auto seq = append_entry(db, run_id, "run-start", *body, signer, hash);
    if (!seq.ok()) return seq.error();
    return {};
  });
}

Result<Closed> record_run_end(Database& db, std::int64_t run_id, const std::vector<Input>& inputs, const Signer* signer) {
  Closed closed;
  Status s = in_transaction(db, [&]() -> Status {
    auto input = db.prepare("INSERT OR REPLACE INTO custody_inputs(run_id, seq, kind, path, sha256) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!input.ok()) return input.error();
    std::int64_t n = 0;
    for (const Input& in : inputs) {
      input->reset();
      input->bind(1, run_id).bind(2, ++n).bind(3, in.kind).bind(4, in.path)
          .bind(5, in.sha256.empty() ? std::optional<std::string>() : std::optional<std::string>(in.sha256));
      FERRET_TRY(input->run());
    }
    FERRET_TRY(seal_results(db, run_id));
    auto body = end_body(db, run_id, "run-end", std::nullopt);
    if (!body.ok()) return body.error();
    auto seq = append_entry(db, run_id, "run-end", *body, signer, closed.entry_hash);
    if (!seq.ok()) return seq.error();
    closed.seq = *seq;
    auto line = sidecar_line(db, closed.seq, closed.entry_hash, run_id);
    if (!line.ok()) return line.error();
    closed.sidecar_line = std::move(*line);
    return {};
  });
  if (!s.ok()) return s.error();
  return closed;
}

Status append_sidecar(const std::filesystem::path& case_dir, const std::string& line) {
  const std::filesystem::path path = case_dir / kSidecarName;
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return make_error(Errc::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  std::string text;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size == 0) text = std::string(kSidecarHeader) + "\n";
  text += line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return make_error(Errc::io, "cannot write " + path.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return make_error(Errc::io, "cannot sync " + path.string());
  return {};
}

Result<std::vector<std::int64_t>> catch_up_sidecar(Database& db, const std::filesystem::path& case_dir) {
  // The entries custody.log records.
  std::set<std::int64_t> listed;
  {
    std::ifstream in(case_dir / kSidecarName);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] != '#') listed.insert(std::atoll(line.c_str()));
    }
  }
  auto ends = db.prepare("SELECT seq, entry_hash, run_id FROM custody_log WHERE kind = 'run-end' ORDER BY seq");
  if (!ends.ok()) return ends.error();
  std::vector<std::tuple<std::int64_t, std::string, std::int64_t>> missing;
  for (;;) {
    auto row = ends->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (!listed.count(ends->column_int(0))) missing.emplace_back(ends->column_int(0), ends->column_text(1), ends->column_int(2));
  }
  std::vector<std::int64_t> added;
  for (const auto& [seq, hash, run] : missing) {
    auto line = sidecar_line(db, seq, hash, run);
    if (!line.ok()) return line.error();
    FERRET_TRY(append_sidecar(case_dir, *line));
    added.push_back(seq);
  }
  return added;
}

}  // namespace ferret::custody
