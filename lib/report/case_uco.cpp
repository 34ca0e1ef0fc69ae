// The CASE/UCO 1.x JSON-LD report: the tools and every run as investigative actions, the evidence
// as images with provenance records, every file with its facets, every match as a relationship.
#include <map>
#include <set>
#include <tuple>

#include "ferret/version.h"
#include "report/escape.h"
#include "report/writers.h"

namespace ferret::report {

namespace {

// An IRI-safe piece of an @id: unreserved characters as they are, every other byte as %XX.
std::string iri_part(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string id_ref(const std::string& id) { return "{\"@id\":" + json_string(id) + "}"; }

std::string date_time(const std::string& iso) { return "{\"@type\":\"xsd:dateTime\",\"@value\":" + json_string(iso) + "}"; }

// uco-types:Hash nodes, each with its own deterministic @id.
std::string hashes(const std::string& owner, const std::string& md5, const std::string& sha1, const std::string& sha256) {
  std::string out;
  const auto add = [&](const char* method, const char* suffix, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out += ",";
    out += "{\"@id\":" + json_string(owner + "-hash-" + suffix) +
           ",\"@type\":\"uco-types:Hash\",\"uco-types:hashMethod\":{\"@type\":\"uco-vocabulary:HashNameVocab\",\"@value\":\"" +
           method + "\"},\"uco-types:hashValue\":{\"@type\":\"xsd:hexBinary\",\"@value\":" + json_string(value) + "}}";
  };
  add("MD5", "md5", md5);
  add("SHA1", "sha1", sha1);
  add("SHA256", "sha256", sha256);
  return out;
}

// Writes the nodes of the @graph array, separated by commas, one per line.
class Graph {
 public:
  explicit Graph(OutputFile& out) : out_(out) {}
  void node(const std::string& json) {
    out_ << (first_ ? "\n    " : ",\n    ") << json;
    first_ = false;
  }

 private:
  OutputFile& out_;
  bool first_ = true;
};

std::string extension_of(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return {};
  return name.substr(dot + 1);
}

std::string tool_id(const std::string& tool, const std::string& version, const std::string& build) {
  return "kb:tool-" + iri_part(tool) + "-" + iri_part(version) + (build.empty() ? "" : "-" + iri_part(build));
}

}  // namespace

Status write_case_uco(WriteContext& ctx, OutputFile& out) {
  CaseSnapshot& snap = ctx.snap;
  auto evidence = read_evidence(snap);
  if (!evidence.ok()) return evidence.error();
  auto runs = read_runs(snap);
  if (!runs.ok()) return runs.error();

  // The kb: namespace names this case, never a random number: the case number, or else the first
  // evidence's SHA-256.
  std::string case_key = !snap.case_number.empty()      ? iri_part(snap.case_number)
                         : !evidence->empty() && !evidence->front().sha256.empty() ? "sha256-" + evidence->front().sha256.substr(0, 16)
                                                                                   : "unnamed";
  out << "{\n  \"@context\": {\n"
         "    \"kb\": " << json_string("urn:ferret:case:" + case_key + ":") << ",\n"
         "    \"case-investigation\": \"https://ontology.caseontology.org/case/investigation/\",\n"
         "    \"uco-action\": \"https://ontology.unifiedcyberontology.org/uco/action/\",\n"
         "    \"uco-core\": \"https://ontology.unifiedcyberontology.org/uco/core/\",\n"
         "    \"uco-identity\": \"https://ontology.unifiedcyberontology.org/uco/identity/\",\n"
         "    \"uco-observable\": \"https://ontology.unifiedcyberontology.org/uco/observable/\",\n"
         "    \"uco-tool\": \"https://ontology.unifiedcyberontology.org/uco/tool/\",\n"
         "    \"uco-types\": \"https://ontology.unifiedcyberontology.org/uco/types/\",\n"
         "    \"uco-vocabulary\": \"https://ontology.unifiedcyberontology.org/uco/vocabulary/\",\n"
         "    \"xsd\": \"http://www.w3.org/2001/XMLSchema#\"\n"
         "  },\n  \"@graph\": [";
  Graph graph(out);

  // Who made the tools, the tools (each version and build that ran), the examiners.
  graph.node("{\"@id\":\"kb:organization-ferret\",\"@type\":\"uco-identity:Organization\",\"uco-core:name\":\"Ferret\"}");
  std::set<std::tuple<std::string, std::string, std::string>> tools;
  std::set<std::string> examiners;
  tools.insert({"ferret-report", kVersion, kBuildId});
  if (!ctx.options.examiner.empty()) examiners.insert(ctx.options.examiner);
  for (const RunRow& r : *runs) {
    tools.insert({r.tool, r.version, r.build_id});
    if (!r.examiner.empty()) examiners.insert(r.examiner);
  }
  for (const auto& [tool, version, build] : tools) {
    graph.node("{\"@id\":" + json_string(tool_id(tool, version, build)) + ",\"@type\":\"uco-tool:Tool\",\"uco-core:name\":" +
               json_string(tool) + ",\"uco-tool:version\":" + json_string(build.empty() ? version : version + " (build " + build + ")") +
               ",\"uco-tool:toolType\":\"Forensic\",\"uco-tool:creator\":{\"@id\":\"kb:organization-ferret\"}}");
  }
  std::map<std::string, std::string> examiner_ids;  // name -> @id, numbered in name order
  for (const std::string& name : examiners) {
    const std::string id = "kb:identity-" + std::to_string(examiner_ids.size() + 1);
    examiner_ids[name] = id;
    graph.node("{\"@id\":" + json_string(id) + ",\"@type\":\"uco-identity:Identity\",\"uco-core:name\":" + json_string(name) + "}");
  }

  // The evidence: an image with its hashes, and the provenance record of the exhibit.
  for (const EvidenceRow& e : *evidence) {
    const std::string id = "kb:image-" + std::to_string(e.evidence_id);
    std::string name = e.path;
    if (const auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    std::string node = "{\"@id\":" + json_string(id) + ",\"@type\":\"uco-observable:Image\",\"uco-core:hasFacet\":[";
    node += "{\"@id\":" + json_string(id + "-image") + ",\"@type\":\"uco-observable:ImageFacet\",\"uco-observable:imageType\":" +
            json_string(e.format) + "},";
    node += "{\"@id\":" + json_string(id + "-file") + ",\"@type\":\"uco-observable:FileFacet\",\"uco-observable:fileName\":" +
            json_string(name) + ",\"uco-observable:filePath\":" + json_string(e.path) + "},";
    node += "{\"@id\":" + json_string(id + "-content") + ",\"@type\":\"uco-observable:ContentDataFacet\",\"uco-observable:sizeInBytes\":" +
            std::to_string(e.size) + ",\"uco-observable:hash\":[" + hashes(id, e.md5, e.sha1, e.sha256) + "]}";
    node += "]}";
    graph.node(node);
    std::string description = "Evidence " + std::to_string(e.evidence_id) + " (" + e.format + ", " + std::to_string(e.size) + " bytes)";
    if (e.description) description += ": " + *e.description;
    if (e.acquired_at) description += "; acquired " + *e.acquired_at;
    if (e.acquisition_software) description += " with " + *e.acquisition_software;
    if (e.stored_hashes_match) description += *e.stored_hashes_match != 0 ? "; hashes stored in the container match" : "; hashes stored in the container DO NOT match";
    graph.node("{\"@id\":" + json_string("kb:provenance-evidence-" + std::to_string(e.evidence_id)) +
               ",\"@type\":\"case-investigation:ProvenanceRecord\",\"case-investigation:exhibitNumber\":" +
               json_string(e.evidence_number.value_or("evidence " + std::to_string(e.evidence_id))) +
               ",\"uco-core:description\":" + json_string(description) + ",\"uco-core:object\":[" + id_ref(id) + "]}");
  }

  // Each run as an investigative action: its tool, its examiner, the images it read or ingested.
  std::map<std::int64_t, std::set<std::int64_t>> run_images;
  FERRET_TRY(snap.each("SELECT ingest_run_id, evidence_id FROM evidence WHERE ingest_run_id IS NOT NULL UNION "
                       "SELECT i.run_id, e.evidence_id FROM custody_inputs i JOIN evidence e ON e.path = i.path WHERE i.kind = 'image'",
                       [&](const casedb::Statement& s) -> Status {
                         run_images[s.column_int(0)].insert(s.column_int(1));
                         return {};
                       }));
  for (const RunRow& r : *runs) {
    std::string node = "{\"@id\":" + json_string("kb:action-run-" + std::to_string(r.run_id)) +
                       ",\"@type\":\"case-investigation:InvestigativeAction\",\"uco-core:name\":" + json_string(r.tool) +
                       ",\"uco-core:description\":" +
                       json_string("run " + std::to_string(r.run_id) + ": " + r.command_line + " (host " + r.host + ", exit code " +
                                   (r.exit_code ? std::to_string(*r.exit_code) : std::string("none: never finished")) + ")") +
                       ",\"uco-action:startTime\":" + date_time(r.started_at);
    if (r.finished_at) node += ",\"uco-action:endTime\":" + date_time(*r.finished_at);
    node += ",\"uco-action:instrument\":" + id_ref(tool_id(r.tool, r.version, r.build_id));
    if (auto it = examiner_ids.find(r.examiner); it != examiner_ids.end()) node += ",\"uco-action:performer\":" + id_ref(it->second);
    if (auto it = run_images.find(r.run_id); it != run_images.end()) {
      node += ",\"uco-action:object\":[";
      bool first = true;
      for (std::int64_t ev : it->second) {
        node += (first ? "" : ",") + id_ref("kb:image-" + std::to_string(ev));
        first = false;
      }
      node += "]";
    }
    node += "}";
    graph.node(node);
  }

  // The hash sets that matched: one observable object per set file (by its SHA-256).
  std::map<std::string, std::string> set_ids;  // hashset_sha256 + name -> @id
  FERRET_TRY(snap.each("SELECT DISTINCT hashset_sha256, hashset, category FROM matches ORDER BY hashset_sha256, hashset, category",
                       [&](const casedb::Statement& s) -> Status {
                         const std::string sha = s.column_text(0), name = s.column_text(1), category = s.column_text(2);
                         const std::string key = sha + "\n" + name;
                         if (set_ids.count(key)) return {};
                         const std::string id = "kb:hashset-" + iri_part(sha) + "-" + std::to_string(set_ids.size() + 1);
                         set_ids[key] = id;
                         graph.node("{\"@id\":" + json_string(id) + ",\"@type\":\"uco-observable:ObservableObject\",\"uco-core:name\":" +
                                    json_string(name) + ",\"uco-core:description\":" + json_string("hash set (" + category + ")") +
                                    ",\"uco-core:hasFacet\":[{\"@id\":" + json_string(id + "-content") +
                                    ",\"@type\":\"uco-observable:ContentDataFacet\",\"uco-observable:hash\":[" + hashes(id, "", "", sha) + "]}]}");
                         return {};
                       }));

  // Every file (type 'file') with its name, times and content.
  FERRET_TRY(snap.each(std::string("SELECT ") + kFileColumns + " FROM files f WHERE f.type = 'file' ORDER BY f.file_id",
                       [&](const casedb::Statement& s) -> Status {
                         const FileRow f = file_row(s);
                         const std::string id = "kb:file-" + std::to_string(f.evidence_id) + "-" + std::to_string(f.file_id);
                         std::string node = "{\"@id\":" + json_string(id) + ",\"@type\":\"uco-observable:File\"";
                         if (f.origin == "carved") {
                           node += ",\"uco-core:description\":" +
                                   json_string("carved from offset " + std::to_string(f.carve_offset.value_or(0)) + " of evidence " +
                                               std::to_string(f.evidence_id) + " (" + f.carve_status.value_or("") + " " +
                                               f.carve_type.value_or("") + (f.carve_detail ? ": " + *f.carve_detail : std::string()) + ")");
                         }
                         node += ",\"uco-core:hasFacet\":[{\"@id\":" + json_string(id + "-file") +
                                 ",\"@type\":\"uco-observable:FileFacet\",\"uco-observable:fileName\":" + json_string(f.name) +
                                 ",\"uco-observable:filePath\":" + json_string(f.path);
                         if (const std::string ext = extension_of(f.name); !ext.empty()) node += ",\"uco-observable:extension\":" + json_string(ext);
                         if (f.size) node += ",\"uco-observable:sizeInBytes\":" + std::to_string(*f.size);
                         node += ",\"uco-observable:isDirectory\":false,\"uco-observable:allocationStatus\":";
                         node += f.origin == "carved" ? "\"Carved\"" : f.allocated ? "\"Allocated\"" : "\"Unallocated\"";
                         if (f.mtime) node += ",\"uco-observable:modifiedTime\":" + date_time(*f.mtime);
                         if (f.atime) node += ",\"uco-observable:accessedTime\":" + date_time(*f.atime);
                         if (f.ctime) node += ",\"uco-observable:metadataChangeTime\":" + date_time(*f.ctime);
                         if (f.crtime) node += ",\"uco-observable:observableCreatedTime\":" + date_time(*f.crtime);
                         node += "}";
                         if (f.md5 || f.sha1 || f.sha256) {
                           node += ",{\"@id\":" + json_string(id + "-content") + ",\"@type\":\"uco-observable:ContentDataFacet\"";
                           if (f.size) node += ",\"uco-observable:sizeInBytes\":" + std::to_string(*f.size);
                           if (f.mime) node += ",\"uco-observable:mimeType\":" + json_string(*f.mime);
                           node += ",\"uco-observable:hash\":[" + hashes(id, f.md5.value_or(""), f.sha1.value_or(""), f.sha256.value_or("")) + "]}";
                         }
                         if (f.origin == "carved" && f.carve_offset && f.size) {
                           node += ",{\"@id\":" + json_string(id + "-range") +
                                   ",\"@type\":\"uco-observable:DataRangeFacet\",\"uco-observable:rangeOffset\":" +
                                   std::to_string(*f.carve_offset) + ",\"uco-observable:rangeSize\":" + std::to_string(*f.size) + "}";
                         }
                         node += "]}";
                         graph.node(node);
                         return {};
                       }));

  // Every match: the file, related to the hash set that knows its content.
  FERRET_TRY(snap.each("SELECT m.match_id, m.file_id, f.evidence_id, m.hashset, m.category, m.algorithm, m.hash, m.title, m.release, "
                       "m.rights_holder, m.hashset_sha256, m.run_id FROM matches m JOIN files f USING (file_id) ORDER BY m.match_id",
                       [&](const casedb::Statement& s) -> Status {
                         const std::string file = "kb:file-" + std::to_string(s.column_int(2)) + "-" + std::to_string(s.column_int(1));
                         const auto set = set_ids.find(s.column_text(10) + "\n" + s.column_text(3));
                         std::string description = s.column_text(5) + " " + s.column_text(6) + " is in the " + s.column_text(4) +
                                                   " hash set " + s.column_text(3);
                         if (auto t = s.column_optional_text(7)) description += "; title: " + *t;
                         if (auto r = s.column_optional_text(8)) description += "; release: " + *r;
                         if (auto h = s.column_optional_text(9)) description += "; rights holder: " + *h;
                         description += "; recorded by run " + std::to_string(s.column_int(11));
                         graph.node("{\"@id\":" + json_string("kb:match-" + std::to_string(s.column_int(0))) +
                                    ",\"@type\":\"uco-core:Relationship\",\"uco-core:kindOfRelationship\":\"Matched_Hash_Set\","
                                    "\"uco-core:isDirectional\":true,\"uco-core:source\":[" + id_ref(file) + "],\"uco-core:target\":" +
                                    id_ref(set != set_ids.end() ? set->second : std::string("kb:hashset-unknown")) +
                                    ",\"uco-core:description\":" + json_string(description) + "}");
                         return {};
                       }));
  out << "\n  ]\n}\n";
  return {};
}

}  // namespace ferret::report
