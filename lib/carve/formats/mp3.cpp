// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_mp3(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "mp3", "mp3"}; }

}  // namespace ferret::carve::formats
