// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_zip(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "zip", "zip"}; }

}  // namespace ferret::carve::formats
