// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_riff(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "riff", "riff"}; }

}  // namespace ferret::carve::formats
