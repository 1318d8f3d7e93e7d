#include "server/store/migrations.h"

#include <array>

namespace lobbyq::store {
namespace {

// Times are unix microseconds; enums are domain::Name() strings; business days
// are 'YYYY-MM-DD'. STRICT makes SQLite refuse a value of the wrong type.
constexpr absl::string_view kV1 = R"sql(
CREATE TABLE branches (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL,
  rating_window_us INTEGER NOT NULL
) STRICT;

CREATE TABLE services (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  code TEXT NOT NULL,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  target_wait_us INTEGER NOT NULL,
  expected_service_us INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (branch_id, code)
) STRICT;

CREATE TABLE counters (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  service_codes TEXT NOT NULL,
  state TEXT NOT NULL,
  state_since_us INTEGER NOT NULL,
  current_ticket_id INTEGER NOT NULL,
  last_finished_ticket_id INTEGER NOT NULL,
  PRIMARY KEY (branch_id, number)
) STRICT;

CREATE TABLE tickets (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  ticket_id INTEGER NOT NULL,
  number INTEGER NOT NULL,
  prefix TEXT NOT NULL,
  service_code TEXT NOT NULL,
  origin_service_code TEXT NOT NULL,
  priority TEXT NOT NULL,
  state TEXT NOT NULL,
  business_day TEXT NOT NULL,
  issued_at_us INTEGER NOT NULL,
  first_called_at_us INTEGER,
  called_at_us INTEGER,
  started_at_us INTEGER,
  finished_at_us INTEGER,
  counter INTEGER NOT NULL,
  recall_count INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  rating INTEGER NOT NULL,
  rating_comment TEXT NOT NULL,
  rated_at_us INTEGER,
  PRIMARY KEY (branch_id, ticket_id)
) STRICT;
CREATE INDEX tickets_by_state ON tickets (branch_id, state);
CREATE INDEX tickets_by_issued_at ON tickets (branch_id, issued_at_us);
-- A retried IssueTicket must find its ticket, never create a second one. The
-- domain remembers a request_id for two days, so within one business day a
-- repeat is always a bug; later, the same id may start a new ticket.
CREATE UNIQUE INDEX tickets_by_request_id ON tickets (branch_id, business_day, request_id)
  WHERE request_id <> '';

CREATE TABLE number_sequences (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  service_code TEXT NOT NULL,
  business_day TEXT NOT NULL,
  last_number INTEGER NOT NULL,
  PRIMARY KEY (branch_id, service_code, business_day)
) STRICT;

-- AUTOINCREMENT so a seq is never reused, even after the newest events are gone.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id TEXT NOT NULL REFERENCES branches (id),
  at_us INTEGER NOT NULL,
  type TEXT NOT NULL,
  counter INTEGER NOT NULL,
  actor TEXT NOT NULL,
  ticket_id INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT,
  counter_state TEXT,
  service_code TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_branch ON events (branch_id, seq);
)sql";

constexpr std::array<absl::string_view, 1> kMigrations = {kV1};

}  // namespace

std::span<const absl::string_view> Migrations() { return kMigrations; }

}  // namespace lobbyq::store
