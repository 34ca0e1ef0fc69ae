// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_mp4(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "mp4", "mp4"}; }

}  // namespace ferret::carve::formats
