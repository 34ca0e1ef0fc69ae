// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_pdf(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "pdf", "pdf"}; }

}  // namespace ferret::carve::formats
