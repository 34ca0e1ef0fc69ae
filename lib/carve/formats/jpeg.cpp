// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_jpeg(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "jpeg", "jpeg"}; }

}  // namespace ferret::carve::formats
