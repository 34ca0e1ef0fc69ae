// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_sqlite(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "sqlite", "sqlite"}; }

}  // namespace ferret::carve::formats
