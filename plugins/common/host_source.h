// The host's bounded reader as a bencode Source, with its stop request.
#pragma once

#include "bencode.h"
#include "ferret/plugin.h"

namespace ferret_plugins {

inline bencode::Source host_source(const ferret_host_api* host, ferret_file* file) {
  bencode::Source source;
  source.read = [host, file](std::uint64_t offset, void* buffer, std::size_t length) { return host->read(file, offset, buffer, length); };
  source.should_stop = [host, file] { return host->should_stop(file) != 0; };
  return source;
}

}  // namespace ferret_plugins
