// Private to lib/image: the concrete media behind open_image().
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "image/image_source.h"

namespace ferret::image::detail {

// One or more plain files read as a single byte array (raw, or split raw when there are several).
Result<std::unique_ptr<ImageSource>> open_file_segments(std::vector<std::filesystem::path> segments, Format format);

// An EWF (E01) image set, found from its first segment.
Result<std::unique_ptr<ImageSource>> open_ewf(const std::filesystem::path& first_segment);

}  // namespace ferret::image::detail
