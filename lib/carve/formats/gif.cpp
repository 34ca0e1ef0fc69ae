// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_gif(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "gif", "gif"}; }

}  // namespace ferret::carve::formats
