// ControlProjection: what the deputy directors check (order 5.3–5.4) — is the journal filled in on time, which
// lessons were missed or given by a substitute, and the teachers' monthly time sheet.
//
// Who answers for a lesson: its substitute when a deputy recorded one, otherwise the assignment's teacher.
// On time means by the end of the lesson day, in school time (Moscow): a topic or a register first recorded
// on a later day is late, and counts as missing in the report of any period that includes the lesson day.
// The register counts as taken by AttendanceTaken or by any attendance mark in the lesson.
// Lessons after `today` (scheduled ahead) are never reported as missing anything; cancelled lessons never are.
//
// Time sheet for days from..to: per teacher, lessons given (their own lessons held without a substitute),
// substitutions given (lessons they held for someone else) and lessons missed (their own lessons a substitute
// gave or that were not held). A substitution counts for the substitute, never for the absent teacher.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/id_table.h"
#include "ejournal/projections/part_stamps.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct HomeworkReview {
  domain::UserId deputy = 0;
  domain::Day day = 0;  // school day it was recorded
  bool conforms = true;
  std::string comment;
};

struct ControlLesson {
  domain::LessonId id = 0;
  domain::AssignmentId assignment = 0;
  domain::UserId teacher = 0;      // the assignment's teacher
  domain::UserId substitute = 0;   // 0: none
  domain::ClassId class_id = 0;
  domain::GroupId group = 0;
  domain::SubjectId subject = 0;
  domain::Day day = 0;
  int period = 0;
  bool held = true;
  std::string reason;              // why it was not held, or why substituted
  domain::Day topic_day = 0;       // school day the topic was first recorded; 0: never
  domain::Day register_day = 0;    // school day the register was first taken; 0: never
  domain::Day homework_day = 0;    // school day homework was first set; 0: never
  std::vector<HomeworkReview> reviews;

  domain::UserId responsible() const { return substitute != 0 ? substitute : teacher; }
};

// A mark entered after its lesson's day.
struct LateEntry {
  domain::MarkId mark = 0;
  domain::LessonId lesson = 0;
  domain::UserId student = 0;
  domain::UserId teacher = 0;      // who entered it
  domain::Day lesson_day = 0;
  domain::Day entered_day = 0;
  int days_late() const { return entered_day - lesson_day; }
};

struct TeacherControl {
  domain::UserId teacher = 0;
  int lessons = 0;                              // lessons due in the period (held, day ≤ today)
  std::vector<domain::LessonId> without_topic;  // no topic by the end of the lesson day
  std::vector<domain::LessonId> register_not_taken;
  std::vector<domain::LessonId> without_homework;
  std::vector<LateEntry> late_marks;            // marks entered after the lesson day, for lessons in the period
  int max_days_late = 0;
  int reviews = 0;                              // homework reviews of the teacher's lessons
  int reviews_not_conforming = 0;
};

struct TimeSheetRow {
  domain::UserId teacher = 0;
  int given = 0;
  int substitutions = 0;
  int missed = 0;
  // Hours (lessons held) per day, own and as a substitute, for the monthly табель; days without any are left
  // out. Their sum is given + substitutions.
  std::vector<std::pair<domain::Day, int>> hours_by_day;
};

class ControlProjection final : public Projection {
 public:
  std::string_view name() const override { return "control"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<ControlProjection>(); }
  // Partitioned by school year (academic_year_of the lesson day): the shared part holds the assignments;
  // a year's part its lessons, with their reviews, and the late marks of those lessons.
  std::vector<PartStamp> parts() const override;
  std::string snapshot_part(PartKey key) const override;
  Status restore_parts(std::span<const std::string_view> parts, PartKey scope) override;
  std::unique_ptr<Projection> fresh_in_scope(PartKey scope) const override;
  // The part that answers a query over days from..to: their school year, or every part when they span two.
  static PartKey part_of(domain::Day from, domain::Day to);

  // nullptr when there is no such lesson.
  const ControlLesson* lesson(domain::LessonId id) const;
  // One teacher's lessons with day in from..to, as of school day `today`.
  TeacherControl teacher(domain::UserId teacher, domain::Day from, domain::Day to, domain::Day today) const;
  // A teacher's lessons on `day` — their own and those they give as a substitute — by period: the teacher's
  // "today's lessons", with what is already entered for each.
  std::vector<ControlLesson> day_of(domain::UserId teacher, domain::Day day) const;
  // Every lesson on `day`, by class id, then period: the timetable a deputy substitutes in.
  std::vector<ControlLesson> lessons_on(domain::Day day) const;
  // Every teacher with a lesson in from..to, by teacher id.
  std::vector<TeacherControl> overview(domain::Day from, domain::Day to, domain::Day today) const;
  // The register of missed and substituted lessons with day in from..to, by day, period and lesson id.
  std::vector<ControlLesson> missed_and_substituted(domain::Day from, domain::Day to) const;
  // Marks entered more than `days` days after their lesson, in log order.
  std::vector<LateEntry> late_marks(int days) const;
  // The time sheet for days from..to (a month: its first and last day), by teacher id.
  std::vector<TimeSheetRow> time_sheet(domain::Day from, domain::Day to) const;

 private:
  struct Assignment {
    domain::UserId teacher = 0;
    domain::ClassId class_id = 0;
    domain::GroupId group = 0;
    domain::SubjectId subject = 0;
  };

  ControlLesson* find(domain::LessonId id);
  void first_day(domain::LessonId id, domain::Day ControlLesson::*field, domain::Day day);
  template <typename F>
  void for_lessons(domain::Day from, domain::Day to, F&& fn) const;

  IdTable<domain::LessonId, ControlLesson> lessons_;
  PartStamps stamps_;  // parts by school year
  void stamp(domain::Day lesson_day, log::Position position);
  std::string encode(bool shared, PartKey year) const;
  std::map<domain::AssignmentId, Assignment> assignments_;
  std::multimap<domain::Day, domain::LessonId> by_day_;
  std::vector<LateEntry> late_;
};

}  // namespace ejournal::projections
