// The clock the log stamps records with. Injected so that tests can make time step backwards.
//
// The log never trusts the clock to be monotonic: it stamps each record with max(now(), previous stamp),
// so recorded-at times never decrease even when the system clock is stepped back.
// Thread-safety: now() may be called from any thread.
#pragma once

#include "ejournal/log/types.h"

namespace ejournal::log {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time in microseconds since the Unix epoch, UTC.
  virtual Timestamp now() const = 0;
};

// The system's real-time clock (CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

}  // namespace ejournal::log
