/* Ferret artifact-parser plugins: the C ABI between Ferret (the host) and a plugin (a shared object).
 *
 * A plugin is a shared object exporting one function, ferret_plugin_entry_v1, which returns a
 * descriptor: the plugin's name and version, which files it wants (selectors), the artifact kinds it
 * emits with their typed attributes (declared like a table), and its parse function. For each selected
 * file the host calls parse() with a bounded reader over the file's content and functions to emit
 * artifacts. Nothing but C types crosses this boundary; a plugin never links against Ferret.
 *
 * The host runs plugins in worker processes with a time limit per file: a plugin that crashes, hangs
 * or emits too much fails for that file only, and the failure is recorded in the case.
 *
 * Evolution rules (ABI version 1):
 *  - Structures are only ever extended at their end; every structure starts with struct_size, which
 *    the side that fills it sets to sizeof as it knows it. A reader never touches a member that lies
 *    beyond the struct_size it was given.
 *  - Enumerations and attribute types only gain values. Existing members never change meaning.
 *  - A change that cannot follow these rules is a new ABI version with a new entry point
 *    (ferret_plugin_entry_v2); the host may keep loading v1 plugins.
 *  - Strings are UTF-8 and NUL-terminated unless a length is given. Pointers a plugin hands the host
 *    must stay valid until the call that received them returns (descriptor data: for the plugin's
 *    whole lifetime, so static storage is the usual choice).
 */
#ifndef FERRET_PLUGIN_H
#define FERRET_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FERRET_PLUGIN_ABI_VERSION 1u

#if defined(__GNUC__)
#define FERRET_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define FERRET_PLUGIN_EXPORT
#endif

/* ---- what a plugin declares ---- */

/* The type of an attribute's value. The host checks every value against it. */
typedef enum ferret_attr_type {
  FERRET_ATTR_TEXT = 1, /* UTF-8 text (invalid UTF-8 is rejected) */
  FERRET_ATTR_INT = 2,  /* signed 64-bit integer */
  FERRET_ATTR_HEX = 3,  /* lowercase hexadecimal digits (hashes, info-hashes) */
  FERRET_ATTR_TIME = 4, /* UTC time, ISO-8601 "YYYY-MM-DDTHH:MM:SSZ" */
  FERRET_ATTR_REAL = 5  /* decimal number as text, e.g. "12.5" (durations, coordinates) */
} ferret_attr_type;

typedef struct ferret_attr_decl {
  const char* name;        /* [a-z0-9_]+, unique within its kind */
  ferret_attr_type type;
  int required;            /* 1: every artifact of the kind must set it */
  const char* description; /* one line for ferret-plugins list and the documentation */
} ferret_attr_decl;

typedef struct ferret_kind_decl {
  const char* name; /* [a-z0-9_]+, e.g. "torrent" */
  const char* description;
  const ferret_attr_decl* attrs;
  size_t attr_count;
} ferret_kind_decl;

/* A byte pattern at a fixed offset of the content ("d8:announce" at 0). */
typedef struct ferret_magic {
  const unsigned char* bytes;
  size_t length;
  uint64_t offset;
} ferret_magic;

/* Which files a plugin wants: a file is offered when ANY selector matches. Lists may be empty. */
typedef struct ferret_selector {
  const char* const* mime_types; /* exact ("application/x-bittorrent") or a prefix ending in '/' ("video/") */
  size_t mime_type_count;
  const char* const* extensions; /* lowercase, without the dot ("torrent") */
  size_t extension_count;
  const char* const* file_names; /* exact names, case-insensitive ("places.sqlite", "History") */
  size_t file_name_count;
  const ferret_magic* magics;
  size_t magic_count;
} ferret_selector;

/* ---- what the host gives ---- */

typedef struct ferret_file ferret_file;         /* one file being parsed (opaque) */
typedef struct ferret_artifact ferret_artifact; /* an artifact being emitted (opaque) */

typedef enum ferret_log_level { FERRET_LOG_DEBUG = 0, FERRET_LOG_INFO = 1, FERRET_LOG_WARNING = 2, FERRET_LOG_ERROR = 3 } ferret_log_level;

typedef struct ferret_host_api {
  uint32_t struct_size;
  uint32_t abi_version; /* FERRET_PLUGIN_ABI_VERSION of the host */

  /* The file: its size in bytes, its path in the case (UTF-8, bytes that were not UTF-8 shown as
   * \xNN) and its last component, its MIME type as Ferret identified it ("" when unknown). */
  uint64_t (*file_size)(const ferret_file* file);
  const char* (*file_path)(const ferret_file* file);
  const char* (*file_name)(const ferret_file* file);
  const char* (*file_mime)(const ferret_file* file);

  /* Reads up to `length` bytes at `offset` into `buffer`: returns how many were read (fewer only at
   * the end of the file), or -1 when the content cannot be read there (damaged media). */
  int64_t (*read)(ferret_file* file, uint64_t offset, void* buffer, size_t length);

  /* Emitting: begin an artifact of a declared kind, set its attributes, end it. end_artifact checks
   * it against the declaration (types, required attributes, no undeclared ones) and returns 0 when
   * it is recorded, -1 when it is rejected (the reason goes to the log). set_* return 0, or -1 for an
   * undeclared attribute or a value of the wrong type. An artifact may refer to another one of the
   * same file with set_int(..., "parent", id) when its kind declares "parent"; end_artifact's
   * artifact ids are returned by artifact_id() (valid after begin). */
  ferret_artifact* (*begin_artifact)(ferret_file* file, const char* kind);
  int (*set_text)(ferret_artifact* artifact, const char* name, const char* value, size_t length);
  int (*set_int)(ferret_artifact* artifact, const char* name, int64_t value);
  int (*end_artifact)(ferret_artifact* artifact);
  int64_t (*artifact_id)(const ferret_artifact* artifact); /* within this file: 1, 2, 3 ... */

  /* A message about this file, kept with the run (warnings: what was malformed and where). */
  void (*log)(ferret_file* file, ferret_log_level level, const char* message);

  /* Nonzero when the host wants the plugin to stop (time limit near, run interrupted). */
  int (*should_stop)(const ferret_file* file);
} ferret_host_api;

/* ---- what a plugin returns ---- */

typedef enum ferret_parse_result {
  FERRET_PARSE_OK = 0,        /* parsed (with or without artifacts) */
  FERRET_PARSE_NOT_MINE = 1,  /* the file is not of the plugin's format after all */
  FERRET_PARSE_MALFORMED = 2, /* of its format but damaged: what could be read was emitted, the rest logged */
  FERRET_PARSE_FAILED = 3     /* could not parse for another reason (logged) */
} ferret_parse_result;

typedef struct ferret_plugin {
  uint32_t struct_size; /* sizeof(ferret_plugin) as the plugin was built */
  uint32_t abi_version; /* FERRET_PLUGIN_ABI_VERSION the plugin was built against */
  const char* name;     /* [a-z0-9_]+, unique among plugins: "torrent" */
  const char* version;  /* the plugin's own version: "1.0.0" */
  const char* description;
  ferret_selector selector;
  const ferret_kind_decl* kinds;
  size_t kind_count;
  /* Called once per selected file, from one thread at a time per process. */
  ferret_parse_result (*parse)(ferret_file* file, const ferret_host_api* host);
} ferret_plugin;

/* The one entry point. Returns the descriptor (static storage), or NULL when the plugin cannot work
 * with this host (it may check host->abi_version and host->struct_size). */
FERRET_PLUGIN_EXPORT const ferret_plugin* ferret_plugin_entry_v1(const ferret_host_api* host);

typedef const ferret_plugin* (*ferret_plugin_entry_v1_fn)(const ferret_host_api* host);

#ifdef __cplusplus
}
#endif

#endif /* FERRET_PLUGIN_H */
