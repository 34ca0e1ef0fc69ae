#include "fs/tsk_reader.h"

#include <vector>

#include "fs/tsk_image.h"

namespace ferret::fs {

struct TskFileReader::State {
  ImgPtr img;
  FsPtr fs;
  std::vector<std::byte> buffer = std::vector<std::byte>(1 << 20);
};

TskFileReader::TskFileReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
TskFileReader::~TskFileReader() {
  if (state_) state_->fs.reset();  // the file system before the image it reads from
}

Result<std::unique_ptr<TskFileReader>> TskFileReader::open(const image::ImageSource& source, std::uint64_t volume_offset) {
  auto state = std::make_unique<State>();
  auto img = open_tsk_image(source);
  if (!img.ok()) return img.error();
  state->img = std::move(*img);
  tsk_error_reset();
  state->fs.reset(tsk_fs_open_img(state->img.get(), static_cast<TSK_OFF_T>(volume_offset), TSK_FS_TYPE_DETECT));
  if (!state->fs) {
    return make_error(Errc::corrupt, "no file system at byte offset " + std::to_string(volume_offset) + ": " + take_tsk_error());
  }
  return std::unique_ptr<TskFileReader>(new TskFileReader(std::move(state)));
}

Result<std::uint64_t> TskFileReader::read(std::uint64_t meta_addr, std::optional<int> attr_type,
                                          std::optional<int> attr_id, const Sink& sink) {
  tsk_error_reset();
  FilePtr file(tsk_fs_file_open_meta(state_->fs.get(), nullptr, static_cast<TSK_INUM_T>(meta_addr)));
  if (!file) return make_error(Errc::not_found, "metadata entry " + std::to_string(meta_addr) + ": " + take_tsk_error());
  const TSK_FS_ATTR* attr =
      attr_type ? tsk_fs_file_attr_get_type(file.get(), static_cast<TSK_FS_ATTR_TYPE_ENUM>(*attr_type),
                                            static_cast<uint16_t>(attr_id.value_or(0)), attr_id.has_value() ? 1 : 0)
                : tsk_fs_file_attr_get(file.get());
  if (attr == nullptr) {
    return make_error(Errc::not_found, "metadata entry " + std::to_string(meta_addr) + " has no such data attribute: " +
                                           take_tsk_error());
  }
  const auto size = static_cast<std::uint64_t>(std::max<TSK_OFF_T>(attr->size, 0));
  std::uint64_t done = 0;
  while (done < size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(state_->buffer.size(), size - done));
    tsk_error_reset();
    const ssize_t got = tsk_fs_attr_read(attr, static_cast<TSK_OFF_T>(done), reinterpret_cast<char*>(state_->buffer.data()),
                                         want, TSK_FS_FILE_READ_FLAG_NONE);
    if (got <= 0) {
      return make_error(Errc::unreadable, "cannot read metadata entry " + std::to_string(meta_addr) + " at byte " +
                                              std::to_string(done) + " of its content: " + take_tsk_error());
    }
    FERRET_TRY(sink(std::span<const std::byte>(state_->buffer.data(), static_cast<std::size_t>(got))));
    done += static_cast<std::uint64_t>(got);
  }
  return done;
}

}  // namespace ferret::fs
