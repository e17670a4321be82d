#include "log/sodium.h"

#include <sodium.h>

#include <cstdlib>

namespace ejournal::log {

void ensure_sodium() {
  static const bool ready = [] {
    // -1 means the library could not initialise (no random source): nothing secure can run then.
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)ready;
}

}  // namespace ejournal::log
