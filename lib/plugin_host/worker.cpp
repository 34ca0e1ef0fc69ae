// The worker's request loop: load plugin files, open a file of the case (read-only, from the
// evidence), run a plugin over it through the checked host API, send back what it emitted.
#include "plugin_host/worker.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "content/content.h"
#include "hash/digest.h"
#include "plugin_host/parse_session.h"
#include "plugin_host/protocol.h"
#include "core/sanitizer.h"

namespace ferret::plugin_host {

Result<std::string> sha256_of_fd(int fd) {
  hash::Digest digest(hash::Algorithm::sha256);
  std::vector<std::byte> buffer(1u << 16);
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::io, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    digest.update(std::span<const std::byte>(buffer.data(), static_cast<std::size_t>(n)));
    at += n;
  }
  return digest.finish_hex();
}

Result<std::string> sha256_of_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Errc::io, std::string("cannot be opened: ") + std::strerror(errno));
  auto out = sha256_of_fd(fd);
  ::close(fd);
  return out;
}

namespace {

struct LoadedPlugin {
  void* handle = nullptr;
  const ferret_plugin* plugin = nullptr;
  PluginInfo info;
};

class EmptySource final : public ContentSource {
 public:
  std::uint64_t size() const override { return 0; }
  Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override { return std::size_t{0}; }
};

// Content read through the recorded data runs, straight from the evidence.
class RunsSource final : public ContentSource {
 public:
  explicit RunsSource(std::unique_ptr<image::ImageSource> media) : media_(std::move(media)) {}
  std::uint64_t size() const override { return media_->size(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override { return media_->read_at(offset, out); }

 private:
  std::unique_ptr<image::ImageSource> media_;
};

// Content The Sleuth Kit decodes (resident, compressed, encrypted): TSK streams it from the start
// only, so it is read once into memory, or into an unlinked temporary file when it is large.
class CopiedSource final : public ContentSource {
 public:
  static constexpr std::uint64_t kInMemory = 64u << 20;

  static Result<std::unique_ptr<CopiedSource>> read(content::ContentReader& reader, const content::FileContent& file) {
    std::unique_ptr<CopiedSource> out(new CopiedSource(file.size));
    if (file.size > kInMemory) {
      out->spill_ = std::tmpfile();
      if (out->spill_ == nullptr) return make_error(Errc::io, std::string("cannot create a temporary file: ") + std::strerror(errno));
    } else {
      out->memory_.reserve(static_cast<std::size_t>(file.size));
    }
    Status read = reader.read(file, [&](std::span<const std::byte> bytes) -> Status {
      if (out->spill_ == nullptr) {
        out->memory_.insert(out->memory_.end(), bytes.begin(), bytes.end());
      } else if (std::fwrite(bytes.data(), 1, bytes.size(), out->spill_) != bytes.size()) {
        return make_error(Errc::io, std::string("cannot write a temporary file: ") + std::strerror(errno));
      }
      return {};
    });
    if (!read.ok()) return read.error();
    if (out->spill_ != nullptr && std::fflush(out->spill_) != 0) return make_error(Errc::io, "cannot write a temporary file");
    return out;
  }
  ~CopiedSource() override {
    if (spill_ != nullptr) std::fclose(spill_);
  }
  CopiedSource(const CopiedSource&) = delete;
  CopiedSource& operator=(const CopiedSource&) = delete;

  std::uint64_t size() const override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return std::size_t{0};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - offset));
    if (spill_ == nullptr) {
      std::memcpy(out.data(), memory_.data() + offset, n);
      return n;
    }
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fileno(spill_), out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return make_error(Errc::io, "cannot read the temporary copy of the content");
      done += static_cast<std::size_t>(got);
    }
    return n;
  }

 private:
  explicit CopiedSource(std::uint64_t size) : size_(size) {}
  std::uint64_t size_;
  std::vector<std::byte> memory_;
  std::FILE* spill_ = nullptr;
};

struct Evidence {
  std::unique_ptr<image::ImageSource> media;
  std::unique_ptr<content::ContentReader> reader;  // for content read through TSK
};

class Worker {
 public:
  explicit Worker(int fd) : channel_(fd) {}

  int serve() {
    if (!channel_.send(MessageType::hello, encode(Hello{})).ok()) return 1;
    for (;;) {
      auto got = channel_.receive();
      if (got.outcome == Channel::Outcome::closed) return 0;  // the tool is done with us
      if (got.outcome != Channel::Outcome::message) return 1;
      bool ok = false;
      switch (got.type) {
        case MessageType::load: ok = load(got.payload); break;
        case MessageType::open: ok = open(got.payload); break;
        case MessageType::parse: ok = parse(got.payload); break;
        default: ok = false;
      }
      if (!ok) return 2;  // a request we cannot understand, or the tool is gone
    }
  }

 private:
  bool load(const std::string& payload) {
    LoadRequest request;
    if (!decode(payload, request)) return false;
    LoadReply reply = load_plugin(request);
    return channel_.send(MessageType::loaded, encode(reply)).ok();
  }

  LoadReply load_plugin(const LoadRequest& request) {
    LoadReply reply;
    const int fd = ::open(request.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      reply.message = std::string("cannot be opened: ") + std::strerror(errno);
      return reply;
    }
    struct stat before {};
    ::fstat(fd, &before);
    // The SHA-256 of the bytes about to be loaded, taken before any of its code can run.
    auto sha = sha256_of_fd(fd);
    ::close(fd);
    if (!sha.ok()) {
      reply.message = sha.error().message;
      return reply;
    }
    reply.sha256 = *sha;
    if (!request.expected_sha256.empty() && reply.sha256 != request.expected_sha256) {
      reply.message = "the file changed since it was hashed (SHA-256 " + request.expected_sha256 + " then, " + reply.sha256 + " now)";
      return reply;
    }
    void* handle = ::dlopen(request.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      reply.message = std::string("cannot be loaded as a shared object: ") + (why != nullptr ? why : "unknown error");
      return reply;
    }
    struct stat after {};
    if (::stat(request.path.c_str(), &after) != 0 || after.st_dev != before.st_dev || after.st_ino != before.st_ino ||
        after.st_size != before.st_size || after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
      reply.message = "the file was replaced while it was being loaded";
      return reply;
    }
    auto entry = reinterpret_cast<ferret_plugin_entry_v1_fn>(::dlsym(handle, "ferret_plugin_entry_v1"));
    if (entry == nullptr) {
      for (int v = 9; v >= 2; --v) {
        if (::dlsym(handle, ("ferret_plugin_entry_v" + std::to_string(v)).c_str()) != nullptr) {
          reply.partial.abi_version = static_cast<std::uint32_t>(v);
          reply.message = "exports ferret_plugin_entry_v" + std::to_string(v) + " but not ferret_plugin_entry_v1: it is made for plugin ABI version " +
                          std::to_string(v) + ", and this Ferret's host speaks ABI version " + std::to_string(FERRET_PLUGIN_ABI_VERSION);
          return reply;
        }
      }
      reply.message = "not a Ferret plugin: it exports no ferret_plugin_entry_v1 (declare it with FERRET_PLUGIN_EXPORT)";
      return reply;
    }
    const ferret_plugin* plugin = entry(&host_api());
    auto info = read_descriptor(plugin, reply.partial);
    if (!info.ok()) {
      reply.message = info.error().message;
      return reply;
    }
    reply.loaded = true;
    reply.info = *info;
    plugins_.push_back({handle, plugin, std::move(*info)});
    return reply;
  }

  bool open(const std::string& payload) {
    OpenRequest request;
    if (!decode(payload, request)) return false;
    source_.reset();
    OpenReply reply;
    if (Status opened = open_content(request); !opened.ok()) {
      reply.message = opened.error().message;
    } else {
      reply.ok = true;
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(request.head_bytes, source_->size()));
      reply.head.resize(want);
      auto got = source_->read_at(0, std::span<std::byte>(reinterpret_cast<std::byte*>(reply.head.data()), want));
      if (!got.ok()) {
        reply.ok = false;
        reply.message = "the start of the content cannot be read: " + got.error().message;
        source_.reset();
      } else {
        reply.head.resize(*got);
      }
    }
    return channel_.send(MessageType::opened, encode(reply)).ok();
  }

  Status open_content(const OpenRequest& request) {
    file_ = {request.file.path, request.file.name, request.mime};
    auto& ev = evidence_[request.file.evidence_id];
    if (!ev.media) {
      auto media = content::reopen_evidence(request.evidence_path, request.evidence_size);
      if (!media.ok()) return make_error(media.error().code, "the evidence " + request.evidence_path + " " + media.error().message);
      ev.media = std::move(*media);
      ev.reader = std::make_unique<content::ContentReader>(*ev.media);
    }
    const content::FileContent& f = request.file;
    if (f.size == 0) {
      source_ = std::make_unique<EmptySource>();
      return {};
    }
    if (!f.encoded && !f.runs.empty()) {
      std::optional<std::uint64_t> bad;
      FERRET_TRY(content::validate_runs(f, ev.media->size(), bad));
      source_ = std::make_unique<RunsSource>(content::file_as_media(*ev.media, f));
      return {};
    }
    auto copied = CopiedSource::read(*ev.reader, f);
    if (!copied.ok()) return copied.error();
    source_ = std::move(*copied);
    return {};
  }

  bool parse(const std::string& payload) {
    ParseRequest request;
    if (!decode(payload, request) || request.plugin >= plugins_.size() || !source_) return false;
    const LoadedPlugin& p = plugins_[request.plugin];
    SessionOptions options;
    options.limits = request.limits;
    if (request.timeout_ms > 0) {
      // Ask the plugin to stop a little before the tool kills us, so a plugin that checks
      // should_stop() ends with what it has instead of losing everything to the time limit.
      options.stop_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms * 8 / 10);
    }
    options.on_flood = [this](const ParseOutput& out) {
      // The plugin is still inside parse() and may keep emitting for ever: answer now and leave.
      (void)channel_.send(MessageType::result, encode(out));
      ::_exit(0);
    };
    ParseOutput out = run_parse(*p.plugin, p.info, file_, *source_, options);
    return channel_.send(MessageType::result, encode(out)).ok();
  }

  Channel channel_;
  std::vector<LoadedPlugin> plugins_;
  std::map<std::int64_t, Evidence> evidence_;
  FileView file_;
  std::unique_ptr<ContentSource> source_;
};

}  // namespace

int worker_main(int argc, char** argv) {
  int fd = -1;
  pid_t parent = -1;
  unsigned long long memory_limit = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--fd") fd = std::atoi(argv[i + 1]);
    else if (option == "--parent") parent = static_cast<pid_t>(std::atoi(argv[i + 1]));
    else if (option == "--memory-limit") memory_limit = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (fd < 0 || parent <= 0) {
    std::fprintf(stderr, "ferret-plugin-worker: run by Ferret's tools only (--fd N --parent PID)\n");
    return 1;
  }
  // Interrupts are the tool's business (see WorkerProcess::start, which spawned us with them blocked).
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, SIGINT);
  sigaddset(&unblock, SIGQUIT);
  ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  // A worker must not outlive its tool (a plugin stuck in a loop would run on for ever).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) return 1;
  // A plugin that crashes is expected here: no core files in the examiner's working directory.
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  // A plugin that allocates without bound meets a failed allocation here, not the examiner's machine's
  // memory (ParseOptions::worker_memory). Not under AddressSanitizer, whose shadow memory alone is
  // terabytes of address space.
  if (!kAddressSanitizer && memory_limit > 0) {
    rlimit as{static_cast<rlim_t>(memory_limit), static_cast<rlim_t>(memory_limit)};
    ::setrlimit(RLIMIT_AS, &as);
  }
  Worker worker(fd);
  return worker.serve();
}

}  // namespace ferret::plugin_host
