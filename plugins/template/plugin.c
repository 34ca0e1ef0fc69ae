/* The template plugin: a complete, minimal Ferret plugin in plain C to copy when writing a new one.
 *
 * It counts the lines and bytes of text files (.txt, .nfo) and keeps their first line, as one
 * artifact of kind "text_stats" per file. Everything a plugin needs is in include/ferret/plugin.h;
 * docs/plugins.md explains the rules (what the host checks, what a crash or a hang does).
 *
 * Build it in Ferret's tree (it is built with everything else into build/plugins/) or on its own:
 *   cmake -S plugins/template -B /tmp/template -DFERRET_INCLUDE_DIR=/path/to/ferret/include
 *   cmake --build /tmp/template          # -> /tmp/template/ferret-template.so
 *   ferret-parse --case DIR --plugin-dir /tmp/template --plugin template
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ferret/plugin.h"

/* ---- what the plugin declares ---- */

/* Every attribute is declared with its type: the host refuses a value of another type, an
 * undeclared attribute, and an artifact that lacks a required one. */
static const ferret_attr_decl text_stats_attrs[] = {
    {"lines", FERRET_ATTR_INT, 1, "number of lines (a last line without a line break counts)"},
    {"bytes", FERRET_ATTR_INT, 1, "size of the file in bytes"},
    {"first_line", FERRET_ATTR_TEXT, 0, "the first line, without its line break (at most 200 bytes; absent when not UTF-8)"},
};

static const ferret_kind_decl kinds[] = {
    {"text_stats", "lines, bytes and first line of a text file", text_stats_attrs,
     sizeof text_stats_attrs / sizeof text_stats_attrs[0]},
};

/* The files the plugin wants: any selector that matches offers the file. Here: by extension
 * (lowercase, no dot). MIME types, exact file names and magic bytes work the same way. */
static const char* const extensions[] = {"txt", "nfo"};

/* ---- the parser ---- */

#define FIRST_LINE_MAX 200

/* TEXT values must be valid UTF-8 (the host refuses anything else, and then the whole artifact).
 * NFO files are often in code page 437, so the first line is checked before it is emitted. */
static int is_utf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    i += len;
  }
  return 1;
}

/* Called once per selected file. Read only through host->read (the content comes from the
 * evidence, bounded to the file); emit only through begin_artifact / set_* / end_artifact. */
static ferret_parse_result parse(ferret_file* file, const ferret_host_api* host) {
  unsigned char buffer[65536];
  unsigned char first[FIRST_LINE_MAX];
  size_t first_len = 0;
  int first_done = 0;
  int64_t lines = 0;
  int last_was_newline = 1; /* an empty file has no lines */
  uint64_t offset = 0;
  const uint64_t size = host->file_size(file);

  while (offset < size) {
    /* A plugin that may run long checks should_stop(): the host asks it to stop before the
     * time limit, so that it can end with what it has instead of being killed. */
    if (host->should_stop(file)) {
      host->log(file, FERRET_LOG_WARNING, "stopped early at the host's request");
      return FERRET_PARSE_FAILED;
    }
    const int64_t got = host->read(file, offset, buffer, sizeof buffer);
    if (got < 0) {
      /* The evidence could not be read here (damaged media): say so and stop. */
      host->log(file, FERRET_LOG_ERROR, "the content could not be read");
      return FERRET_PARSE_FAILED;
    }
    if (got == 0) break; /* shorter than its size says: never loop on a short read */
    for (int64_t i = 0; i < got; ++i) {
      const unsigned char c = buffer[i];
      if (c == '\n') {
        ++lines;
        first_done = 1;
      } else if (!first_done && c != '\r' && first_len < FIRST_LINE_MAX) {
        first[first_len++] = c;
      }
      last_was_newline = c == '\n';
    }
    offset += (uint64_t)got;
  }
  if (!last_was_newline) ++lines; /* a last line without a line break */

  /* One artifact: begin it with a declared kind, set its attributes, end it. end_artifact()
   * returns -1 when the host rejected it; the reason is in the run's log for this file. */
  ferret_artifact* a = host->begin_artifact(file, "text_stats");
  if (a == NULL) return FERRET_PARSE_FAILED;
  host->set_int(a, "lines", lines);
  host->set_int(a, "bytes", (int64_t)offset);
  if (first_len > 0) {
    /* A line cut at FIRST_LINE_MAX may end inside a UTF-8 sequence: drop the broken tail. */
    size_t n = first_len;
    if (first_len == FIRST_LINE_MAX) {
      while (n > FIRST_LINE_MAX - 3 && !is_utf8(first, n)) --n;
    }
    if (is_utf8(first, n)) {
      host->set_text(a, "first_line", (const char*)first, n);
    } else {
      host->log(file, FERRET_LOG_INFO, "the first line is not UTF-8 (code page 437?): first_line not set");
    }
  }
  return host->end_artifact(a) == 0 ? FERRET_PARSE_OK : FERRET_PARSE_FAILED;
}

/* ---- the descriptor and the entry point ---- */

static const ferret_plugin descriptor = {
    sizeof(ferret_plugin),     /* struct_size: as this plugin was built */
    FERRET_PLUGIN_ABI_VERSION, /* abi_version */
    "template",                /* name: [a-z0-9_]+, unique among plugins */
    "1.0.0",                   /* version: recorded with every result */
    "counts the lines and bytes of text files and keeps their first line",
    {NULL, 0, extensions, sizeof extensions / sizeof extensions[0], NULL, 0, NULL, 0}, /* selector */
    kinds,
    sizeof kinds / sizeof kinds[0],
    parse,
};

/* The one exported symbol. The host checks struct_size and abi_version before it reads anything
 * else; a plugin may return NULL to decline a host it cannot work with. */
FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host) {
  if (host == NULL || host->abi_version != FERRET_PLUGIN_ABI_VERSION) return NULL;
  return &descriptor;
}
