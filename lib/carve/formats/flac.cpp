// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_flac(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "flac", "flac"}; }

}  // namespace ferret::carve::formats
