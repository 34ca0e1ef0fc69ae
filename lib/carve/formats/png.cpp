// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_png(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "png", "png"}; }

}  // namespace ferret::carve::formats
