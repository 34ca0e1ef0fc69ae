// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_bmp(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "bmp", "bmp"}; }

}  // namespace ferret::carve::formats
