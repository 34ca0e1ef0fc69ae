// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_matroska(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "matroska", "matroska"}; }

}  // namespace ferret::carve::formats
