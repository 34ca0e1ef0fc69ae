// The Sleuth Kit over an ImageSource, shared by the walk and the content reader (internal to lib/fs
// and its users; includes TSK's headers).
#pragma once

#include <tsk/libtsk.h>

#include <memory>
#include <string>

#include "core/result.h"
#include "image/image_source.h"

namespace ferret::fs {

// TSK's last error on this thread (TSK keeps it thread-local), then cleared; one line.
std::string take_tsk_error();

struct ImgCloser {
  void operator()(TSK_IMG_INFO* img) const { tsk_img_close(img); }
};
struct VsCloser {
  void operator()(TSK_VS_INFO* vs) const { tsk_vs_close(vs); }
};
struct FsCloser {
  void operator()(TSK_FS_INFO* fs) const { tsk_fs_close(fs); }
};
struct FileCloser {
  void operator()(TSK_FS_FILE* file) const { tsk_fs_file_close(file); }
};
using ImgPtr = std::unique_ptr<TSK_IMG_INFO, ImgCloser>;
using VsPtr = std::unique_ptr<TSK_VS_INFO, VsCloser>;
using FsPtr = std::unique_ptr<TSK_FS_INFO, FsCloser>;
using FilePtr = std::unique_ptr<TSK_FS_FILE, FileCloser>;

// A TSK image reading through `source`, which must outlive it.
Result<ImgPtr> open_tsk_image(const image::ImageSource& source);

}  // namespace ferret::fs
