// CorrectionsProjection: the teachers' requests to change a closed term (order: after a term is closed, a
// change needs the deputy's approval) — what was asked, by whom and why, and what the deputy decided.
// The teacher follows their own requests (pending, approved, rejected); the deputies decide the pending ones.
// Requests are few (a school makes hundreds a year), so the state is one map, not partitioned by year.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ejournal/domain/types.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

enum class CorrectionState : std::uint8_t { pending, approved, rejected };

struct CorrectionRequest {
  domain::RequestId id = 0;
  domain::TermId term = 0;
  fb::CorrectionKind kind = fb::CorrectionKind::SetMark;
  domain::LessonId lesson = 0;     // set for every kind (for mark changes, the mark's lesson)
  domain::UserId student = 0;      // likewise
  domain::MarkId mark = 0;         // correct_mark and remove_mark
  int value = 0;                   // set_mark and correct_mark
  domain::WorkTypeId work_type = 0;
  domain::Attendance code = domain::Attendance::Absent;  // set_attendance only (events.fbs)
  std::string reason;
  domain::UserId requester = 0;
  log::Timestamp requested_at = 0;
  log::Position requested_position = 0;
  CorrectionState state = CorrectionState::pending;
  domain::UserId decider = 0;      // 0 while pending
  log::Timestamp decided_at = 0;
  std::string answer;              // the approval's comment or the rejection's reason
};

class CorrectionsProjection final : public Projection {
 public:
  std::string_view name() const override { return "corrections"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<CorrectionsProjection>(); }

  // Every request, by id (the order they were made in).
  const std::map<domain::RequestId, CorrectionRequest>& all() const { return requests_; }

 private:
  std::map<domain::RequestId, CorrectionRequest> requests_;
};

}  // namespace ejournal::projections
