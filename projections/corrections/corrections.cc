#include "ejournal/projections/corrections.h"

#include "ejournal/fb/corrections_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"

namespace ejournal::projections {
namespace {

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

}  // namespace

void CorrectionsProjection::apply(const EventView& ev) {
  using E = fb::Event;
  switch (ev.type) {
    case E::CorrectionRequested: {
      const auto* e = ev.as<fb::CorrectionRequested>();
      CorrectionRequest& r = requests_[e->request()];
      r = CorrectionRequest{};
      r.id = e->request();
      r.term = e->term();
      r.kind = e->kind();
      r.lesson = e->lesson();
      r.student = e->student();
      r.mark = e->mark();
      r.value = e->value();
      r.work_type = e->work_type();
      r.code = e->code();
      r.reason = str(e->reason());
      r.requester = ev.actor;
      r.requested_at = ev.recorded_at;
      r.requested_position = ev.position;
      break;
    }
    case E::CorrectionApproved:
    case E::CorrectionRejected: {
      const bool approved = ev.type == E::CorrectionApproved;
      const domain::RequestId id = approved ? ev.as<fb::CorrectionApproved>()->request() : ev.as<fb::CorrectionRejected>()->request();
      auto it = requests_.find(id);
      if (it == requests_.end()) break;
      it->second.state = approved ? CorrectionState::approved : CorrectionState::rejected;
      it->second.decider = ev.actor;
      it->second.decided_at = ev.recorded_at;
      it->second.answer = approved ? str(ev.as<fb::CorrectionApproved>()->comment()) : str(ev.as<fb::CorrectionRejected>()->reason());
      break;
    }
    default: break;
  }
}

std::string CorrectionsProjection::snapshot() const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1024);
  std::vector<flatbuffers::Offset<s::KCorrection>> out;
  out.reserve(requests_.size());
  for (const auto& [id, r] : requests_)
    out.push_back(s::CreateKCorrectionDirect(b, r.id, r.term, r.kind, r.lesson, r.student, r.mark, static_cast<std::uint8_t>(r.value),
                                             r.work_type, r.code, r.reason.c_str(), r.requester, r.requested_at,
                                             r.requested_position, static_cast<std::uint8_t>(r.state), r.decider, r.decided_at,
                                             r.answer.c_str()));
  b.Finish(s::CreateCorrectionsDirect(b, &out), s::CorrectionsIdentifier());
  return log::finished_bytes(b);
}

Status CorrectionsProjection::restore(std::string_view raw) {
  namespace s = fb::snap;
  std::string aligned;
  const s::Corrections* c = log::verified_root<s::Corrections>(raw, s::CorrectionsIdentifier(), aligned);
  if (c == nullptr) return Status(Code::corruption, "not a corrections snapshot");
  std::map<domain::RequestId, CorrectionRequest> next;
  if (c->requests())
    for (const auto* k : *c->requests()) {
      if (k->state() > static_cast<std::uint8_t>(CorrectionState::rejected)) return Status(Code::corruption, "a request in an unknown state");
      next[k->id()] = CorrectionRequest{k->id(), k->term(), k->kind(), k->lesson(), k->student(), k->mark(), k->value(),
                                        k->work_type(), k->code(), str(k->reason()), k->requester(), k->requested_at(),
                                        k->requested_position(), static_cast<CorrectionState>(k->state()), k->decider(),
                                        k->decided_at(), str(k->answer())};
    }
  requests_ = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
