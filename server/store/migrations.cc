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

// Calling policy, recall/no-show/reinstatement, appointments and form-free
// service. Every new column's DEFAULT is the C++ default of its field, so rows
// written by v1 read back as they were meant.
constexpr absl::string_view kV2 = R"sql(
ALTER TABLE branches ADD COLUMN recall_limit INTEGER NOT NULL DEFAULT 2;
ALTER TABLE branches ADD COLUMN auto_no_show_after_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE branches ADD COLUMN reinstate_grace_us INTEGER NOT NULL DEFAULT 1800000000;
ALTER TABLE branches ADD COLUMN reinstate_placement TEXT NOT NULL DEFAULT 'by_issue_time';
ALTER TABLE branches ADD COLUMN transfer_placement TEXT NOT NULL DEFAULT 'by_issue_time';
ALTER TABLE branches ADD COLUMN checkin_early_us INTEGER NOT NULL DEFAULT 1800000000;
ALTER TABLE branches ADD COLUMN checkin_late_us INTEGER NOT NULL DEFAULT 600000000;
ALTER TABLE branches ADD COLUMN appointment_lead_us INTEGER NOT NULL DEFAULT 300000000;
-- Since local midnight: 09:00 and 17:00.
ALTER TABLE branches ADD COLUMN opening_time_us INTEGER NOT NULL DEFAULT 32400000000;
ALTER TABLE branches ADD COLUMN closing_time_us INTEGER NOT NULL DEFAULT 61200000000;
ALTER TABLE branches ADD COLUMN slot_length_us INTEGER NOT NULL DEFAULT 1800000000;
ALTER TABLE branches ADD COLUMN booking_horizon_days INTEGER NOT NULL DEFAULT 30;

-- max_wait_us 0 = twice the target wait.
ALTER TABLE services ADD COLUMN max_wait_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN appointment_capacity INTEGER NOT NULL DEFAULT 0;

-- counted_rules: 'green_channel:2,vip:1' (priority name:quota, in order);
-- counted_calls: '1,0,2', one count per rule; '' for none.
ALTER TABLE counters ADD COLUMN strategy TEXT NOT NULL DEFAULT 'in_order';
ALTER TABLE counters ADD COLUMN counted_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE counters ADD COLUMN counted_fallback TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE counters ADD COLUMN green_channel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE counters ADD COLUMN counted_calls TEXT NOT NULL DEFAULT '';

-- A v1 ticket stands in its queue by its issue time.
ALTER TABLE tickets ADD COLUMN queued_at_us INTEGER NOT NULL DEFAULT 0;
UPDATE tickets SET queued_at_us = issued_at_us;
ALTER TABLE tickets ADD COLUMN no_show_at_us INTEGER;
-- A v1 no-show became one when its ticket_no_show event was logged.
UPDATE tickets SET no_show_at_us = e.at_us
FROM (SELECT branch_id, ticket_id, MAX(at_us) AS at_us FROM events
      WHERE type = 'ticket_no_show' GROUP BY branch_id, ticket_id) AS e
WHERE tickets.state = 'no_show' AND tickets.branch_id = e.branch_id
  AND tickets.ticket_id = e.ticket_id;
ALTER TABLE tickets ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN details_type TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN details_amount TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN details_account_tail TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN details_text TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN appointment_code TEXT NOT NULL DEFAULT '';
-- 1 = transferred to the front of its queue (before the others of its class).
ALTER TABLE tickets ADD COLUMN placed_front INTEGER NOT NULL DEFAULT 0;

-- ticket_id 0 = not checked in; closed_at_us is set once checked in, cancelled
-- or missed.
CREATE TABLE appointments (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  code TEXT NOT NULL,
  service_code TEXT NOT NULL,
  slot_start_us INTEGER NOT NULL,
  customer_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  state TEXT NOT NULL,
  booked_at_us INTEGER NOT NULL,
  closed_at_us INTEGER,
  ticket_id INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  PRIMARY KEY (branch_id, code)
) STRICT;
-- A retried BookAppointment must find its appointment, never book a second one.
CREATE UNIQUE INDEX appointments_by_request_id ON appointments (branch_id, request_id)
  WHERE request_id <> '';
CREATE INDEX appointments_by_slot ON appointments (branch_id, slot_start_us);
)sql";

// Metrics read a branch's events by time: a window, and each counter's last
// state change before it (docs/metrics.md).
constexpr absl::string_view kV3 = R"sql(
CREATE INDEX events_by_branch_at ON events (branch_id, at_us);
CREATE INDEX events_counter_states ON events (branch_id, counter, at_us)
  WHERE counter_state IS NOT NULL;
)sql";

// Who may call: people with Argon2id password hashes, devices with token
// hashes, and the sessions people signed in to (docs/security.md). No secret
// is stored in clear. The audit trail reads events by ticket and by actor.
constexpr absl::string_view kV4 = R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  branch_id TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  demo INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  branch_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  demo INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  counter INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_name);
CREATE INDEX events_by_ticket ON events (branch_id, ticket_id) WHERE ticket_id <> 0;
CREATE INDEX events_by_actor ON events (branch_id, actor, at_us);
)sql";

// What a counter action or check-in sent with a client request id did, so a
// retry after a lost reply or a restart gets the first answer (docs/security.md,
// Idempotency). Rows older than the retention are deleted as new ones come.
constexpr absl::string_view kV5 = R"sql(
CREATE TABLE requests (
  branch_id TEXT NOT NULL REFERENCES branches (id),
  request_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  counter INTEGER NOT NULL,
  subject TEXT NOT NULL,
  ticket_id INTEGER NOT NULL,
  detail TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  PRIMARY KEY (branch_id, request_id)
) STRICT;
CREATE INDEX requests_by_at ON requests (branch_id, at_us);
)sql";

constexpr std::array<absl::string_view, 5> kMigrations = {kV1, kV2, kV3, kV4, kV5};

}  // namespace

std::span<const absl::string_view> Migrations() { return kMigrations; }

}  // namespace lobbyq::store
