#include "ejournal/projections/catalog.h"

#include "ejournal/projections/accounts.h"
#include "ejournal/projections/audit.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/corrections.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/stats.h"

namespace ejournal::projections {

std::vector<std::unique_ptr<Projection>> all_projections() {
  std::vector<std::unique_ptr<Projection>> v;
  v.push_back(std::make_unique<RosterProjection>());
  v.push_back(std::make_unique<JournalProjection>());
  v.push_back(std::make_unique<AuditProjection>());
  v.push_back(std::make_unique<ControlProjection>());
  v.push_back(std::make_unique<StatsProjection>());
  v.push_back(std::make_unique<AccountsProjection>());
  v.push_back(std::make_unique<CorrectionsProjection>());
  return v;
}

}  // namespace ejournal::projections
