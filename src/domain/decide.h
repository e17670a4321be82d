// decide(): a command, checked against the write model and the actor's role and scope, becomes the events
// that record it — or a refusal with a stable code and a Russian message. Pure except for sealing personal
// data (which may create a subject's key); it never changes the model.
//
// Who may do what (docs/architecture.md §6 and docs/domain.md, with the school's facts the order leaves
// open filled in):
//  - school structure (years, terms, classes, subjects, work types, assignments, timetable): deputy, administrator
//  - study groups: also the class's curator
//  - accounts, roles, credentials, blocking: administrator; a user changes their own password
//  - class lists, parents, personal data and its checked-on date: the class's curator, deputies
//  - erasing personal data: administrator
//  - lessons: the assignment's teacher schedules, sets topic and homework; deputies schedule, substitute, cancel
//  - marks and attendance: the lesson's teacher or its substitute; never for a cancelled lesson, never in grade 1
//  - term and final marks: a teacher of that subject for the student's class or group
//  - homework review, closing and reopening terms, deciding correction requests: deputies
//  - recording logins, creating the first administrator: the system (user 0)
// Internal to src/domain.
#pragma once

#include "domain/decision.h"
#include "ejournal/domain/vault.h"

namespace ejournal::domain {

Result<Decision> decide(const WriteModel& model, const ActorView& actor, const Command& command,
                        PersonalDataVault& vault);

// One per family of commands (decide_*.cc); decide() dispatches to them.
Result<Decision> decide_structure(const WriteModel& m, const ActorView& a, const Command& c);
Result<Decision> decide_accounts(const WriteModel& m, const ActorView& a, const Command& c);
Result<Decision> decide_people(const WriteModel& m, const ActorView& a, const Command& c, PersonalDataVault& vault);
Result<Decision> decide_lessons(const WriteModel& m, const ActorView& a, const Command& c);
Result<Decision> decide_control(const WriteModel& m, const ActorView& a, const Command& c);

// Scope checks shared by the families.
bool manages_school(const ActorView& a);                       // deputy or administrator
bool curates(const ActorView& a, ClassId class_id);           // the class's curator
bool teaches(const WriteModel& m, const ActorView& a, const LessonState& lesson);  // teacher or substitute

}  // namespace ejournal::domain
