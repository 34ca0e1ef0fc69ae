// The result sets each run is sealed over, row hashing, and canonical JSON for log entries.
#include "custody/result_sets.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "core/text.h"

namespace ferret::custody {

namespace {

// Every table a tool writes results to. files is split by who wrote which columns: the walk
// (ingest), the content (hashing), carved rows (carving); files.known is derived from matches and
// checked against them instead.
constexpr ResultSet kSets[] = {
    {"case_info", "case_info t", "1", "(SELECT min(run_id) FROM runs)", "t.key", "key,value"},
    {"evidence", "evidence t", "1", "t.ingest_run_id", "t.evidence_id",
     "evidence_id,path,format,size,sector_size,md5,sha1,sha256,case_number,evidence_number,examiner,description,notes,"
     "acquired_at,acquisition_software,stored_md5,stored_sha1,stored_hashes_match,unreadable_bytes,ingest_run_id"},
    {"evidence_segments", "evidence_segments t LEFT JOIN evidence e ON e.evidence_id = t.evidence_id", "1", "e.ingest_run_id",
     "t.evidence_id || '/' || t.seq", "evidence_id,seq,path,size"},
    {"volumes", "volumes t LEFT JOIN evidence e ON e.evidence_id = t.evidence_id", "1", "e.ingest_run_id", "t.volume_id",
     "volume_id,evidence_id,start_offset,length,description,fs_type,partition_slot,block_size,fs_error"},
    {"unallocated", "unallocated t LEFT JOIN evidence e ON e.evidence_id = t.evidence_id", "1", "e.ingest_run_id", "t.rowid",
     "evidence_id,volume_id,start_offset,length"},
    {"files", "files t LEFT JOIN evidence e ON e.evidence_id = t.evidence_id", "t.origin <> 'carved'", "e.ingest_run_id",
     "t.file_id",
     "file_id,evidence_id,volume_id,origin,path,name,name_raw,short_name,meta_addr,attr_type,attr_id,type,size,allocated,"
     "meta_allocated,reallocated,orphan,virtual,mtime,atime,ctime,crtime,encoded"},
    {"file_content", "files t",
     "t.origin <> 'carved' AND (t.hash_run_id IS NOT NULL OR t.content_state IS NOT NULL OR t.md5 IS NOT NULL OR "
     "t.sha1 IS NOT NULL OR t.sha256 IS NOT NULL OR t.mime IS NOT NULL OR t.ext_mismatch IS NOT NULL)",
     "t.hash_run_id", "t.file_id", "file_id,md5,sha1,sha256,mime,content_state,ext_mismatch,hash_run_id"},
    {"carved_files", "files t", "t.origin = 'carved'", "t.carve_run_id", "t.file_id",
     "file_id,evidence_id,volume_id,origin,path,name,name_raw,short_name,meta_addr,attr_type,attr_id,type,size,allocated,"
     "meta_allocated,reallocated,orphan,virtual,mtime,atime,ctime,crtime,md5,sha1,sha256,mime,encoded,content_state,"
     "ext_mismatch,hash_run_id,carve_status,carve_detail,carve_type,carve_offset,carve_run_id"},
    {"file_runs",
     "file_runs t LEFT JOIN files f ON f.file_id = t.file_id LEFT JOIN evidence e ON e.evidence_id = f.evidence_id", "1",
     "CASE WHEN f.origin = 'carved' THEN f.carve_run_id ELSE e.ingest_run_id END", "t.file_id || '/' || t.seq",
     "file_id,seq,file_offset,image_offset,length,sparse"},
    {"errors", "errors t", "1", "t.run_id", "t.error_id",
     "error_id,run_id,evidence_id,volume_id,file_id,kind,image_offset,length,message"},
    {"matches", "matches t", "1", "t.run_id", "t.match_id",
     "match_id,file_id,hashset,category,algorithm,hash,title,release,rights_holder,hashset_sha256,run_id"},
    {"extractions", "extractions t", "1", "t.run_id", "t.extraction_id", "extraction_id,run_id,file_id,output_path,size,sha256,verified"},
    {"carve_scans", "carve_scans t", "1", "t.run_id", "t.run_id || '/' || t.evidence_id",
     "run_id,evidence_id,space,types,bytes_scanned,candidates,complete,partial,already_known,new_items,unreadable"},
    {"plugin_loads", "plugin_loads t", "1", "t.run_id", "t.run_id || '/' || t.path",
     "run_id,path,sha256,plugin,version,abi_version,status,message"},
    {"plugin_results", "plugin_results t", "1", "t.run_id", "t.file_id || '/' || t.plugin",
     "file_id,plugin,plugin_version,run_id,status,artifacts,message"},
    {"artifacts", "artifacts t", "1", "t.run_id", "t.artifact_id", "artifact_id,file_id,plugin,kind,seq,plugin_version,run_id"},
    {"artifact_attributes", "artifact_attributes t LEFT JOIN artifacts a ON a.artifact_id = t.artifact_id", "1", "a.run_id",
     "t.artifact_id || '/' || t.name", "artifact_id,name,value,type"},
};

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
}

}  // namespace

std::span<const ResultSet> result_sets() { return kSets; }

const ResultSet* find_result_set(const std::string& name) {
  for (const ResultSet& s : kSets) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return to_hex(std::span<const unsigned char>(digest, sizeof digest));
}

Result<std::map<std::optional<std::int64_t>, std::vector<SealedRow>>> collect_rows(casedb::Database& db, const ResultSet& set,
                                                                                   const std::string& columns,
                                                                                   std::optional<std::int64_t> only_run) {
  std::string select;
  std::size_t count = 0;
  for (std::size_t start = 0; start <= columns.size();) {
    std::size_t comma = columns.find(',', start);
    if (comma == std::string::npos) comma = columns.size();
    const std::string column = columns.substr(start, comma - start);
    for (char c : column) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return make_error(Errc::corrupt, "the seal of " + std::string(set.name) + " names a column that cannot exist: " + column);
      }
    }
    if (!column.empty()) {
      select += ", t." + column;
      ++count;
    }
    start = comma + 1;
  }
  std::string sql = std::string("SELECT ") + set.run + ", " + set.key + select + " FROM " + set.from + " WHERE (" + set.where + ")";
  if (only_run) sql += std::string(" AND (") + set.run + ") = ?1";
  auto s = db.prepare(sql);
  if (!s.ok()) return s.error();
  if (only_run) s->bind(1, *only_run);
  std::map<std::optional<std::int64_t>, std::vector<SealedRow>> out;
  std::string buffer;
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    SealedRow sealed;
    sealed.key = s->column_text(1);
    // Values are encoded with their type and length, so that no two different rows encode alike.
    buffer.assign(set.name);
    buffer.push_back('\0');
    buffer += sealed.key;
    buffer.push_back('\0');
    for (std::size_t c = 0; c < count; ++c) {
      const int index = static_cast<int>(c) + 2;
      const char type = s->column_type(index);
      buffer.push_back(type);
      if (type == 'N') continue;
      const std::string text = s->column_text(index);  // numbers in decimal, text and blobs as their bytes
      put_u64(buffer, text.size());
      buffer += text;
    }
    sealed.hash = sha256_hex(buffer);
    out[s->column_optional_int(0)].push_back(std::move(sealed));
  }
  for (auto& [run, rows] : out) {
    std::sort(rows.begin(), rows.end(), [](const SealedRow& a, const SealedRow& b) { return a.key < b.key; });
  }
  return out;
}

std::string seal_digest(const std::vector<SealedRow>& rows) {
  std::string all;
  all.reserve(rows.size() * 80);
  for (const SealedRow& r : rows) {
    all += r.key;
    all.push_back('\t');
    all += r.hash;
    all.push_back('\n');
  }
  return sha256_hex(all);
}

std::string canonical_string(std::string_view text) { return "\"" + json_escape(text) + "\""; }

std::string canonical_object(const std::map<std::string, std::string>& members) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : members) {
    if (!first) out.push_back(',');
    first = false;
    out += canonical_string(key);
    out.push_back(':');
    out += value;
  }
  out.push_back('}');
  return out;
}

}  // namespace ferret::custody
