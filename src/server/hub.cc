#include "hub.h"

#include <boost/json.hpp>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ejournal/projections/journal.h"
#include "ejournal/projections/projection.h"

namespace ejournal::server {
namespace {

using namespace domain;
namespace json = boost::json;
using E = fb::Event;

// What a record is about, resolved through the journal projection.
struct Facts {
  bool lesson_level = false;  // about a whole lesson (topic, homework, held, substitute, register)
  bool cell_level = false;    // about one student's cell
  bool attestation = false;
  bool audit = false;         // shown in the audit trail
  ClassId class_id = 0;
  GroupId group = 0;
  SubjectId subject = 0;
  UserId student = 0;
  json::object event;
};

void lesson_facts(const projections::JournalProjection& j, LessonId id, Facts& f) {
  const auto* l = j.lesson(id);
  if (l == nullptr) return;
  if (const auto* a = j.assignment(l->assignment)) {
    f.class_id = a->class_id;
    f.group = a->group;
    f.subject = a->subject;
  }
  f.event["lesson"] = id;
  f.event["day"] = format_day(l->day);
}

Facts facts_of(const projections::JournalProjection& j, const projections::EventView& ev) {
  Facts f;
  const fb::Envelope& env = ev.envelope;
  f.event = json::object{{"type", fb::EnumNameEvent(env.event_type())}, {"position", ev.position},
                         {"recorded_at", ev.recorded_at}, {"actor", ev.actor}};
  auto cell = [&](LessonId lesson, UserId student) {
    f.cell_level = f.audit = true;
    f.student = student;
    f.event["student"] = student;
    lesson_facts(j, lesson, f);
  };
  switch (env.event_type()) {
    case E::MarkSet: {
      const auto* e = env.event_as_MarkSet();
      cell(e->lesson(), e->student());
      f.event["mark"] = e->mark();
      f.event["value"] = e->value();
      f.event["work_type"] = e->work_type();
      break;
    }
    case E::MarkCorrected:
    case E::MarkRemoved: {
      const MarkId id = env.event_type() == E::MarkCorrected ? env.event_as_MarkCorrected()->mark() : env.event_as_MarkRemoved()->mark();
      if (const auto m = j.mark(id)) cell(m->lesson, m->student);
      f.event["mark"] = id;
      if (const auto* e = env.event_as_MarkCorrected()) f.event["value"] = e->value();
      break;
    }
    case E::AbsenceMarked: {
      const auto* e = env.event_as_AbsenceMarked();
      cell(e->lesson(), e->student());
      f.event["code"] = static_cast<int>(e->code());
      break;
    }
    case E::AttendanceCleared: cell(env.event_as_AttendanceCleared()->lesson(), env.event_as_AttendanceCleared()->student()); break;
    case E::LessonTopicSet:
    case E::HomeworkSet:
    case E::LessonSubstituted:
    case E::LessonNotHeld:
    case E::LessonScheduled:
    case E::AttendanceTaken:
    case E::HomeworkReviewed: {
      LessonId id = 0;
      if (const auto* e = env.event_as_LessonTopicSet()) id = e->lesson();
      else if (const auto* h = env.event_as_HomeworkSet()) id = h->lesson();
      else if (const auto* s = env.event_as_LessonSubstituted()) id = s->lesson();
      else if (const auto* n = env.event_as_LessonNotHeld()) id = n->lesson();
      else if (const auto* l = env.event_as_LessonScheduled()) id = l->lesson();
      else if (const auto* t = env.event_as_AttendanceTaken()) id = t->lesson();
      else if (const auto* r = env.event_as_HomeworkReviewed()) id = r->lesson();
      f.lesson_level = true;
      f.audit = env.event_type() == E::LessonTopicSet || env.event_type() == E::HomeworkSet;
      lesson_facts(j, id, f);
      break;
    }
    case E::AttestationMarkSet: {
      const auto* e = env.event_as_AttestationMarkSet();
      f.attestation = f.audit = true;
      f.student = e->student();
      f.subject = e->subject();
      if (const auto* m = j.member(e->student())) f.class_id = m->class_id;
      f.event["student"] = e->student();
      f.event["subject"] = e->subject();
      break;
    }
    case E::PersonalDataRecorded:
    case E::PersonalDataErased: f.audit = true; break;
    default: break;
  }
  return f;
}

bool matches(const projections::JournalProjection& j, const Topic& t, const Facts& f) {
  switch (t.kind) {
    case Topic::Kind::journal:
      if (f.attestation) return f.class_id == t.class_id && f.subject == t.subject;
      return (f.lesson_level || f.cell_level) && f.class_id == t.class_id && f.group == t.group && f.subject == t.subject;
    case Topic::Kind::diary: {
      if (f.cell_level || f.attestation) return f.student == t.student;
      if (!f.lesson_level) return false;
      const auto* m = j.member(t.student);
      if (m == nullptr || m->class_id != f.class_id) return false;
      return f.group == 0 || std::find(m->groups.begin(), m->groups.end(), f.group) != m->groups.end();
    }
    case Topic::Kind::audit: return f.audit;
    case Topic::Kind::control: return f.lesson_level || f.cell_level;
  }
  return false;
}

const char* kind_word(Topic::Kind k) {
  switch (k) {
    case Topic::Kind::journal: return "journal";
    case Topic::Kind::diary: return "diary";
    case Topic::Kind::audit: return "audit";
    case Topic::Kind::control: return "control";
  }
  return "?";
}

}  // namespace

struct Hub::State {
  Services& services;
  Metrics& metrics;
  Permit permit;
  std::mutex mu;
  struct Sub {
    std::uint64_t id;
    std::weak_ptr<Client> client;
    const Client* key;
    Topic topic;
  };
  std::vector<Sub> subs;
  std::uint64_t next_id = 1;
  std::atomic<bool> stopping{false};
  std::thread thread;

  State(Services& s, Metrics& m, Permit p) : services(s), metrics(m), permit(std::move(p)) {}

  static void send_closed(Client& c, std::uint64_t id, Verdict v) {
    c.send(json::serialize(json::object{{"push", "closed"}, {"subscription", id},
                                        {"reason", v == Verdict::signed_out ? "signed_out" : "forbidden"}}));
  }

  // Whether `s` may still receive its topic, asked once per batch (`verdicts`). A refusal ends the
  // subscription — all of the client's when its session ended — and tells the client so.
  Verdict verdict(const Sub& s, Client& c, const std::vector<Sub>& batch, std::map<std::uint64_t, Verdict>& verdicts) {
    if (auto it = verdicts.find(s.id); it != verdicts.end()) return it->second;
    const Verdict v = permit(c, s.topic);
    verdicts[s.id] = v;
    if (v == Verdict::allowed) return v;
    {
      std::lock_guard lock(mu);
      std::erase_if(subs, [&](const Sub& x) { return v == Verdict::signed_out ? x.key == s.key : x.id == s.id; });
    }
    if (v == Verdict::forbidden) {
      send_closed(c, s.id, v);
      return v;
    }
    for (const Sub& x : batch) {
      if (x.key != s.key) continue;
      auto [it, fresh] = verdicts.try_emplace(x.id, v);
      if (!fresh && x.id != s.id && it->second == Verdict::forbidden) continue;  // told already
      it->second = v;
      send_closed(c, x.id, v);
    }
    return v;
  }

  void run() {
    log::Position known = services.log.head();
    metrics.pushed_through.store(known);
    while (!stopping.load()) {
      const log::Position head = services.log.wait_beyond(known, std::chrono::milliseconds(200));
      if (head <= known) continue;
      services.host.wait_applied(head, std::chrono::seconds(5));
      std::vector<Sub> batch;
      {
        std::lock_guard lock(mu);
        batch = subs;
      }
      if (batch.empty()) {
        known = head;
      metrics.pushed_through.store(known);
        continue;
      }
      std::map<std::uint64_t, Verdict> verdicts;
      std::vector<std::pair<std::size_t, json::object>> due;  // (subscriber in batch, its push) of one record
      for (auto c = services.log.cursor(known + 1); c->valid() && c->position() <= head; c->next()) {
        const projections::EventView view = projections::view_of(c->position(), c->bytes());
        due.clear();
        services.host.read<projections::JournalProjection>("journal", [&](const projections::JournalProjection& j) {
          const Facts f = facts_of(j, view);
          for (std::size_t i = 0; i < batch.size(); ++i)
            if (matches(j, batch[i].topic, f))
              due.emplace_back(i, json::object{{"push", kind_word(batch[i].topic.kind)}, {"subscription", batch[i].id}, {"event", f.event}});
          return 0;
        });
        // The permit reads other projections: asked with the journal's lock released.
        for (auto& [i, push] : due) {
          auto client = batch[i].client.lock();
          if (client == nullptr || verdict(batch[i], *client, batch, verdicts) != Verdict::allowed) continue;
          client->send(json::serialize(push));
          metrics.pushes.fetch_add(1);
        }
      }
      known = head;
      metrics.pushed_through.store(known);
    }
  }
};

Hub::Hub(Services& services, Metrics& metrics, Permit permit)
    : state_(std::make_unique<State>(services, metrics, std::move(permit))) {
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

Hub::~Hub() { stop(); }

void Hub::stop() {
  state_->stopping.store(true);
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint64_t Hub::subscribe(const std::shared_ptr<Client>& client, const Topic& topic) {
  std::lock_guard lock(state_->mu);
  const std::uint64_t id = state_->next_id++;
  state_->subs.push_back(State::Sub{id, client, client.get(), topic});
  return id;
}

bool Hub::unsubscribe(const Client* client, std::uint64_t id) {
  std::lock_guard lock(state_->mu);
  return std::erase_if(state_->subs, [&](const State::Sub& s) { return s.key == client && s.id == id; }) > 0;
}

void Hub::forget(const Client* client) {
  std::lock_guard lock(state_->mu);
  std::erase_if(state_->subs, [&](const State::Sub& s) { return s.key == client; });
}

}  // namespace ejournal::server
