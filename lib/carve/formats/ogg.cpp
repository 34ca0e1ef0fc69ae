// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_ogg(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "ogg", "ogg"}; }

}  // namespace ferret::carve::formats
