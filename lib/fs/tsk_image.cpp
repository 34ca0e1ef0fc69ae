#include "fs/tsk_image.h"

#include <cstdlib>
#include <span>

namespace ferret::fs {

std::string take_tsk_error() {
  const char* text = tsk_error_get();
  std::string out = text != nullptr ? text : "unknown error";
  tsk_error_reset();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}


namespace {

// ---- TSK image over an ImageSource --------------------------------------------------------------

struct ExternalImage {
  TSK_IMG_INFO info;  // must come first: TSK casts between the two
  const image::ImageSource* source;
};

ssize_t external_read(TSK_IMG_INFO* img, TSK_OFF_T offset, char* buf, size_t len) {
  const auto* self = reinterpret_cast<ExternalImage*>(img);
  if (offset < 0) return -1;
  auto got = self->source->read_at(static_cast<std::uint64_t>(offset), std::span(reinterpret_cast<std::byte*>(buf), len));
  if (!got.ok()) {
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_IMG_READ);
    tsk_error_set_errstr("%s", got.error().message.c_str());
    return -1;
  }
  return static_cast<ssize_t>(*got);
}

void external_close(TSK_IMG_INFO* img) { std::free(img); }
void external_imgstat(TSK_IMG_INFO*, FILE*) {}

}  // namespace

Result<ImgPtr> open_tsk_image(const image::ImageSource& source) {
  // calloc: TSK_IMG_INFO carries its own read cache and must start zeroed; TSK frees it via external_close.
  auto* ext = static_cast<ExternalImage*>(std::calloc(1, sizeof(ExternalImage)));
  if (ext == nullptr) return make_error(Errc::internal, "out of memory opening the image for TSK");
  ext->source = &source;
  TSK_IMG_INFO* img = tsk_img_open_external(ext, static_cast<TSK_OFF_T>(source.size()), source.sector_size(),
                                            external_read, external_close, external_imgstat);
  if (img == nullptr) {
    std::free(ext);
    return make_error(Errc::internal, "TSK refused the image: " + take_tsk_error());
  }
  return ImgPtr(img);
}


}  // namespace ferret::fs
