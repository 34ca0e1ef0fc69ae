// The DFXML 1.2 report: the evidence as <source>, each volume with its files as <fileobject>s
// (byte runs and hashes), carved items in the volume they were found in.
#include <sqlite3.h>
#include <unistd.h>

#include "ferret/version.h"
#include "report/escape.h"
#include "report/writers.h"

namespace ferret::report {

namespace {

// DFXML's name_type letters (as fiwalk writes them from TSK's types).
const char* name_type(const FileRow& f) {
  if (f.is_virtual) return "v";
  if (f.type == "file") return "r";
  if (f.type == "dir") return "d";
  if (f.type == "symlink") return "l";
  return "-";
}

// TSK_FS_META_TYPE numbers: regular 1, directory 2, symbolic link 6.
int meta_type(const FileRow& f) {
  if (f.type == "file") return 1;
  if (f.type == "dir") return 2;
  if (f.type == "symlink") return 6;
  return 0;
}

void element(OutputFile& out, const char* indent, const char* name, std::string_view value) {
  out << indent << "<" << name << ">" << xml_text(value) << "</" << name << ">\n";
}

void element(OutputFile& out, const char* indent, const char* name, std::int64_t value) {
  out << indent << "<" << name << ">" << value << "</" << name << ">\n";
}

Status write_fileobject(OutputFile& out, RunReader& runs, const FileRow& f) {
  static constexpr const char* in = "      ";
  out << "    <fileobject>\n";
  // DFXML names files relative to the volume root; the case's path starts with '/'.
  std::string_view name = f.path;
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  element(out, in, "filename", name.empty() ? std::string_view(".") : name);
  element(out, in, "id", f.file_id);
  out << in << "<name_type>" << name_type(f) << "</name_type>\n";
  if (f.size) element(out, in, "filesize", *f.size);
  element(out, in, "alloc", f.allocated ? 1 : 0);
  if (f.meta_allocated) element(out, in, "alloc_inode", *f.meta_allocated != 0 ? 1 : 0);
  element(out, in, "alloc_name", f.allocated ? 1 : 0);
  if (f.orphan) element(out, in, "orphan", 1);
  if (f.meta_addr) element(out, in, "inode", *f.meta_addr);
  if (const int m = meta_type(f); m != 0) element(out, in, "meta_type", m);
  if (f.mtime) element(out, in, "mtime", *f.mtime);
  if (f.ctime) element(out, in, "ctime", *f.ctime);
  if (f.atime) element(out, in, "atime", *f.atime);
  if (f.crtime) element(out, in, "crtime", *f.crtime);
  if (f.mime) element(out, in, "libmagic", *f.mime);
  auto byte_runs = runs.runs_of(f.file_id);
  if (!byte_runs.ok()) return byte_runs.error();
  if (!byte_runs->empty()) {
    out << in << "<byte_runs>\n";
    for (const ByteRun& r : *byte_runs) {
      out << in << "  <byte_run file_offset=\"" << r.file_offset << "\"";
      if (r.image_offset) {
        out << " img_offset=\"" << *r.image_offset << "\"";
      } else {
        out << " fill=\"0\"";  // a sparse run: no bytes on the medium, reads as zeros
      }
      out << " len=\"" << r.length << "\"/>\n";
    }
    out << in << "</byte_runs>\n";
  }
  if (f.md5) out << in << "<hashdigest type=\"md5\">" << xml_text(*f.md5) << "</hashdigest>\n";
  if (f.sha1) out << in << "<hashdigest type=\"sha1\">" << xml_text(*f.sha1) << "</hashdigest>\n";
  if (f.sha256) out << in << "<hashdigest type=\"sha256\">" << xml_text(*f.sha256) << "</hashdigest>\n";
  out << "    </fileobject>\n";
  return {};
}

Status write_files(WriteContext& ctx, OutputFile& out, RunReader& runs, const std::string& where,
                   const std::function<void(casedb::Statement&)>& bind) {
  return ctx.snap.each(std::string("SELECT ") + kFileColumns + " FROM files f WHERE " + where + " ORDER BY f.file_id",
                       [&](const casedb::Statement& s) -> Status {
                         return write_fileobject(out, runs, file_row(s));
                       },
                       bind);
}

}  // namespace

Status write_dfxml(WriteContext& ctx, OutputFile& out) {
  auto evidence = read_evidence(ctx.snap);
  if (!evidence.ok()) return evidence.error();
  auto volumes = read_volumes(ctx.snap);
  if (!volumes.ok()) return volumes.error();

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<dfxml xmlns=\"http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" version=\"1.2.0\">\n";
  out << "  <metadata>\n";
  element(out, "    ", "dc:type", "Disk Image");
  if (!ctx.snap.case_number.empty()) element(out, "    ", "dc:identifier", ctx.snap.case_number);
  if (!ctx.options.examiner.empty()) element(out, "    ", "dc:creator", ctx.options.examiner);
  if (!ctx.snap.as_of.empty()) element(out, "    ", "dc:date", ctx.snap.as_of);
  out << "  </metadata>\n";

  out << "  <creator version=\"1.0\">\n";
  element(out, "    ", "program", "ferret-report");
  element(out, "    ", "version", kVersion);
  out << "    <build_environment>\n";
#if defined(__VERSION__)
  element(out, "      ", "compiler", __VERSION__);
#endif
  out << "      <library name=\"ferret\" version=\"" << xml_text(std::string(kVersion) + " build " + kBuildId) << "\"/>\n";
  out << "      <library name=\"sqlite\" version=\"" << xml_text(sqlite3_libversion()) << "\"/>\n";
  out << "    </build_environment>\n";
  // The command line holds what decides the content; start_time is the end of the last run the
  // report covers, not the wall clock, so that the same case gives the same bytes (the report's
  // own run, with its real times, is in the case's custody log).
  out << "    <execution_environment>\n";
  element(out, "      ", "command_line", "ferret-report --format dfxml");
  element(out, "      ", "uid", static_cast<std::int64_t>(getuid()));
  if (!ctx.snap.as_of.empty()) element(out, "      ", "start_time", ctx.snap.as_of);
  out << "    </execution_environment>\n";
  out << "  </creator>\n";

  out << "  <source>\n";
  for (const EvidenceRow& e : *evidence) {
    element(out, "    ", "image_filename", e.path);
    element(out, "    ", "sectorsize", e.sector_size);
    element(out, "    ", "image_size", e.size);
    if (!e.md5.empty()) out << "    <hashdigest type=\"md5\">" << xml_text(e.md5) << "</hashdigest>\n";
    if (!e.sha1.empty()) out << "    <hashdigest type=\"sha1\">" << xml_text(e.sha1) << "</hashdigest>\n";
    if (!e.sha256.empty()) out << "    <hashdigest type=\"sha256\">" << xml_text(e.sha256) << "</hashdigest>\n";
  }
  out << "  </source>\n";

  auto runs = RunReader::prepare(ctx.snap.db);
  if (!runs.ok()) return runs.error();
  std::int64_t shown_evidence = -1;
  for (const VolumeRow& v : *volumes) {
    if (v.evidence_id != shown_evidence) {
      shown_evidence = v.evidence_id;
      // DFXML has no element tying a volume to one of several images: say it in a comment.
      for (const EvidenceRow& e : *evidence) {
        if (e.evidence_id == v.evidence_id) {
          // "--" may not appear in a comment; xml_text leaves it, so break it up.
          std::string path = xml_text(e.path);
          for (std::size_t p = path.find("--"); p != std::string::npos; p = path.find("--", p)) path.replace(p, 2, "-\\x2d");
          out << "  <!-- evidence " << e.evidence_id << ": " << path << " -->\n";
        }
      }
    }
    out << "  <volume offset=\"" << v.start_offset << "\">\n";
    if (v.start_offset > 0) element(out, "    ", "partition_offset", v.start_offset);
    for (const EvidenceRow& e : *evidence) {
      if (e.evidence_id == v.evidence_id && e.sector_size > 0) element(out, "    ", "sector_size", e.sector_size);
    }
    if (v.block_size && *v.block_size > 0) element(out, "    ", "block_size", *v.block_size);
    if (v.fs_type) element(out, "    ", "ftype_str", *v.fs_type);
    const std::int64_t volume_id = v.volume_id, evidence_id = v.evidence_id;
    FERRET_TRY(write_files(ctx, out, *runs, "f.evidence_id = ?2 AND f.volume_id = ?1",  // the files_by_evidence index
                           [volume_id, evidence_id](casedb::Statement& s) { s.bind(1, volume_id).bind(2, evidence_id); }));
    out << "  </volume>\n";
  }
  // Files in no volume: carved from space outside every partition (and anything else without one).
  FERRET_TRY(write_files(ctx, out, *runs, "f.volume_id IS NULL OR f.volume_id NOT IN (SELECT volume_id FROM volumes)", {}));
  out << "</dfxml>\n";
  return {};
}

}  // namespace ferret::report
