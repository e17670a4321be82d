// RosterProjection: who is where — classes and their curators, study groups, students (with their groups,
// parents and sealed personal data), parents, staff, subjects, teachers' assignments and the timetable.
// Personal data stays sealed here; a query that shows names opens it through the PersonalDataVault.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct RosterClass {
  domain::ClassId id = 0;
  domain::YearId year = 0;
  int grade = 0;
  std::string name;
  domain::UserId curator = 0;
};

struct RosterGroup {
  domain::GroupId id = 0;
  domain::ClassId class_id = 0;
  std::string name;
};

struct RosterStudent {
  domain::UserId id = 0;
  domain::ClassId class_id = 0;  // 0: left the school
  std::vector<domain::GroupId> groups;
  std::vector<domain::UserId> parents;
  std::string sealed;            // newest sealed personal-data record
  domain::Day checked_on = 0;    // when the curator last confirmed the data
  bool erased = false;
};

struct RosterParent {
  domain::UserId id = 0;
  std::vector<domain::UserId> children;
  std::string sealed;
  bool erased = false;
};

struct RosterAssignment {
  domain::AssignmentId id = 0;
  domain::UserId teacher = 0;
  domain::ClassId class_id = 0;
  domain::GroupId group = 0;
  domain::SubjectId subject = 0;
  bool ended = false;
};

struct RosterEntry {
  domain::TimetableEntryId id = 0;
  domain::AssignmentId assignment = 0;
  int weekday = 0, period = 0;
  domain::Day first_day = 0, last_day = 0;
  bool removed = false;
};

struct RosterSubject {
  domain::SubjectId id = 0;
  std::string name, short_name;
};

struct RosterTerm {
  domain::TermId id = 0;
  domain::YearId year = 0;
  std::string name;
  domain::Day first_day = 0, last_day = 0;
  int grade_from = 0, grade_to = 0;
  bool closed = false;  // by a deputy (close_term), until reopened
};

struct RosterYear {
  domain::YearId id = 0;
  std::string title;
  domain::Day first_day = 0, last_day = 0;
};

struct RosterWorkType {
  domain::WorkTypeId id = 0;
  std::string name;
  int weight = 1;
};

struct RosterStaff {
  domain::UserId id = 0;
  std::string login, name;
  std::uint32_t roles = 0;  // bit (1 << Role)
  bool blocked = false;
};

class RosterProjection final : public Projection {
 public:
  std::string_view name() const override { return "roster"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<RosterProjection>(); }

  const std::map<domain::ClassId, RosterClass>& classes() const { return classes_; }
  const std::map<domain::GroupId, RosterGroup>& groups() const { return groups_; }
  const std::map<domain::UserId, RosterStudent>& students() const { return students_; }
  const std::map<domain::UserId, RosterParent>& parents() const { return parents_; }
  const std::map<domain::AssignmentId, RosterAssignment>& assignments() const { return assignments_; }
  const std::map<domain::TimetableEntryId, RosterEntry>& timetable() const { return entries_; }
  const std::map<domain::SubjectId, RosterSubject>& subjects() const { return subjects_; }
  const std::map<domain::UserId, RosterStaff>& staff() const { return staff_; }
  const std::map<domain::TermId, RosterTerm>& terms() const { return terms_; }
  const std::map<domain::YearId, RosterYear>& years() const { return years_; }
  const std::map<domain::WorkTypeId, RosterWorkType>& work_types() const { return work_types_; }

  // Students of a class now, in id (enrolment) order.
  std::vector<domain::UserId> students_of_class(domain::ClassId class_id) const;
  // Members of a study group now.
  std::vector<domain::UserId> students_of_group(domain::GroupId group) const;

 private:
  std::map<domain::ClassId, RosterClass> classes_;
  std::map<domain::GroupId, RosterGroup> groups_;
  std::map<domain::UserId, RosterStudent> students_;
  std::map<domain::UserId, RosterParent> parents_;
  std::map<domain::AssignmentId, RosterAssignment> assignments_;
  std::map<domain::TimetableEntryId, RosterEntry> entries_;
  std::map<domain::SubjectId, RosterSubject> subjects_;
  std::map<domain::UserId, RosterStaff> staff_;
  std::map<domain::TermId, RosterTerm> terms_;
  std::map<domain::YearId, RosterYear> years_;
  std::map<domain::WorkTypeId, RosterWorkType> work_types_;
};

}  // namespace ejournal::projections
