// SCAFFOLD: replaced by the real validator.
#include "carve/formats/formats.h"

namespace ferret::carve::formats {

Verdict validate_torrent(Bytes&, const Limits&) { return Verdict{Status::rejected, 0, "not implemented", "torrent", "torrent"}; }

}  // namespace ferret::carve::formats
