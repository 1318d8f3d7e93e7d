// The calling policy on its own (calling_policy.h): who a counter calls next,
// as tables with fixed times and no Branch around it. Each row gives the
// waiting tickets, one counter, `now` and the services' max_wait, and the
// exact order in which the counter calls them when it keeps calling at `now`
// (ChooseNext, take the ticket out, RecordCall, until nobody is left it may
// call). Every row is also run through PreviewOrder with that counter alone,
// which must say the same.

#include "server/domain/calling_policy.h"

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/types.h"

namespace lobbyq::domain {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

constexpr PriorityClass kN = PriorityClass::kNormal;
constexpr PriorityClass kV = PriorityClass::kVip;
constexpr PriorityClass kG = PriorityClass::kGreenChannel;
constexpr PriorityClass kP = PriorityClass::kAppointment;

constexpr CallStrategy kInOrder = CallStrategy::kInOrder;
constexpr CallStrategy kLongestWait = CallStrategy::kLongestWait;
constexpr CallStrategy kCounted = CallStrategy::kCounted;

constexpr CallReason kOver = CallReason::kOverdue;
constexpr CallReason kGreenCtr = CallReason::kGreenChannelCounter;
constexpr CallReason kStrat = CallReason::kStrategy;
constexpr CallReason kRule = CallReason::kCountedRule;
constexpr CallReason kFallback = CallReason::kCountedFallback;

// Every time in the tables is minutes after this instant.
const absl::Time kT0 =
    absl::FromCivil(absl::CivilSecond(2024, 3, 11, 1, 0, 0), absl::UTCTimeZone());
absl::Time At(int minutes) { return kT0 + absl::Minutes(minutes); }

// One WAITING ticket: its queue, class, queued_at (minutes after kT0) and id.
struct Waiting {
  std::string service;
  PriorityClass priority = kN;
  int queued_min = 0;
  uint64_t id = 0;
};

// One call as the test sees it. `rule` is compared for counted-rule calls only.
struct Call {
  uint64_t id = 0;
  CallReason reason = kStrat;
  int rule = -1;
  uint32_t counter = 0;  // for PreviewOrder; 0 in the single-counter tables
  friend bool operator==(const Call&, const Call&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Call& c) {
    os << "{ticket " << c.id << ", " << Name(c.reason);
    if (c.reason == kRule) os << " #" << c.rule;
    if (c.counter != 0) os << ", counter " << c.counter;
    return os << "}";
  }
};
Call R(uint64_t id, int rule) { return Call{.id = id, .reason = kRule, .rule = rule}; }
Call F(uint64_t id) { return Call{.id = id, .reason = kFallback}; }
Call S(uint64_t id) { return Call{.id = id, .reason = kStrat}; }
Call O(uint64_t id) { return Call{.id = id, .reason = kOver}; }
Call Gc(uint64_t id) { return Call{.id = id, .reason = kGreenCtr}; }

Call FromDecision(const CallDecision& d, uint32_t counter = 0) {
  return Call{.id = d.ticket_id,
              .reason = d.reason,
              .rule = d.reason == kRule ? d.rule : -1,
              .counter = counter};
}
Call FromPreview(const PreviewEntry& e, bool with_counter) {
  return Call{.id = e.ticket_id, .reason = e.reason, .counter = with_counter ? e.counter : 0};
}

struct PolicyCase {
  std::string name;
  std::vector<Waiting> queues;
  Counter counter;
  int now_min = 0;
  std::map<std::string, int> max_wait_min;  // per service, minutes
  std::vector<Call> expected;               // the whole order, until nobody is callable
  std::optional<std::vector<int>> counts_after = std::nullopt;  // counted_calls at the end
};

void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

QueueIndex IndexOf(const std::vector<Waiting>& waiting) {
  QueueIndex index;
  for (const Waiting& w : waiting) {
    index.Insert(
        w.service,
        QueueIndex::Key{.rank = ClassRank(w.priority), .queued_at = At(w.queued_min), .id = w.id});
  }
  return index;
}

MaxWaits MaxWaitsOf(const std::map<std::string, int>& minutes) {
  MaxWaits result;
  for (const auto& [code, m] : minutes) result[code] = absl::Minutes(m);
  return result;
}

Counter Make(std::vector<std::string> profile, CallStrategy strategy = kInOrder, bool green = false,
             std::vector<CountedRule> rules = {}, PriorityClass fallback = kN,
             std::vector<int> counts = {}) {
  return Counter{.number = 1,
                 .name = "Counter 1",
                 .service_codes = std::move(profile),
                 .strategy = strategy,
                 .counted_rules = std::move(rules),
                 .counted_fallback = fallback,
                 .green_channel = green,
                 .counted_calls = std::move(counts),
                 .state = CounterState::kOpen};
}

const std::map<std::string, int> kPatient = {{"A", 600}, {"B", 600}, {"C", 600}};

// --- in_order ---------------------------------------------------------------
const std::vector<PolicyCase> kInOrderCases = {
    {.name = "ProfileOrderBeatsQueuedAt",
     .queues = {{"A", kN, 0, 1}, {"A", kN, 1, 2}, {"B", kN, 5, 3}, {"B", kN, 6, 4}},
     .counter = Make({"B", "A"}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(3), S(4), S(1), S(2)}},
    {.name = "HighestClassWithinAServiceThenTheNextService",
     .queues = {{"A", kN, 0, 1},
                {"A", kV, 1, 2},
                {"A", kG, 2, 3},
                {"A", kP, 3, 4},
                {"B", kG, 0, 6},
                {"B", kP, 0, 5}},
     .counter = Make({"A", "B"}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(4), S(3), S(2), S(1), S(5), S(6)}},
    {.name = "TiesByQueuedAtThenId",
     .queues = {{"A", kN, 2, 7}, {"A", kN, 2, 3}, {"A", kN, 1, 5}, {"A", kN, 1, 9}},
     .counter = Make({"A"}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(5), S(9), S(3), S(7)}},
    {.name = "HeldTicketsAreNotCallableUntilTheirTime",
     // 1 and 3 are queued after `now` (an appointment checked in early);
     // 4 becomes callable exactly at `now`.
     .queues = {{"A", kN, 20, 1}, {"A", kN, 5, 2}, {"A", kP, 15, 3}, {"A", kP, 10, 4}},
     .counter = Make({"A"}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(4), S(2)}},
    {.name = "ClassesNeverReachOutsideTheProfile",
     .queues = {{"B", kP, 0, 1}, {"B", kG, 0, 2}, {"C", kV, 0, 3}, {"A", kN, 5, 4}},
     .counter = Make({"A"}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(4)}},
    {.name = "AnEmptyProfileCallsNobody",
     .queues = {{"A", kN, 0, 1}},
     .counter = Make({}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {}},
};

// --- longest_wait ------------------------------------------------------------
const std::vector<PolicyCase> kLongestWaitCases = {
    {.name = "HighestClassAcrossTheProfileThenEarliestQueued",
     .queues =
         {{"A", kN, 0, 1}, {"A", kV, 5, 2}, {"B", kN, 1, 3}, {"B", kV, 3, 4}, {"B", kG, 8, 5}},
     .counter = Make({"A", "B"}, kLongestWait),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(5), S(4), S(2), S(1), S(3)}},
    {.name = "AppointmentThenGreenThenVipThenNormal",
     .queues = {{"A", kN, 0, 1}, {"A", kP, 9, 2}, {"B", kG, 1, 3}, {"B", kV, 0, 4}},
     .counter = Make({"A", "B"}, kLongestWait),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(2), S(3), S(4), S(1)}},
    {.name = "TiesAcrossServicesByQueuedAtThenIdNotProfileOrder",
     .queues = {{"A", kN, 2, 4}, {"A", kN, 1, 8}, {"B", kN, 2, 2}, {"B", kN, 1, 6}},
     .counter = Make({"B", "A"}, kLongestWait),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(6), S(8), S(2), S(4)}},
    {.name = "HeldAndOutsideTheProfileAreIgnored",
     .queues = {{"A", kG, 15, 1}, {"B", kN, 0, 2}, {"C", kP, 0, 3}},
     .counter = Make({"A", "B"}, kLongestWait),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(2)}},
};

// --- counted -----------------------------------------------------------------
const std::vector<PolicyCase> kCountedCases = {
    {.name = "GreenTwoVipOneFallbackNormalCycles",
     .queues = {{"A", kG, 0, 1},
                {"A", kG, 1, 2},
                {"A", kG, 2, 3},
                {"A", kG, 3, 4},
                {"A", kG, 4, 5},
                {"A", kG, 5, 6},
                {"A", kV, 0, 11},
                {"A", kV, 1, 12},
                {"A", kV, 2, 13},
                {"A", kN, 0, 21},
                {"A", kN, 1, 22},
                {"A", kN, 2, 23}},
     .counter = Make({"A"}, kCounted, false, {{kG, 2}, {kV, 1}}, kN),
     .now_min = 30,
     .max_wait_min = kPatient,
     .expected = {R(1, 0), R(2, 0), R(11, 1), F(21), R(3, 0), R(4, 0), R(12, 1), F(22), R(5, 0),
                  R(6, 0), R(13, 1), F(23)},
     .counts_after = std::vector<int>{0, 0}},
    {.name = "ARuleTakesItsClassFromAnyServiceOfTheProfile",
     .queues = {{"A", kV, 5, 1}, {"B", kV, 2, 2}, {"B", kN, 0, 3}, {"A", kN, 1, 4}},
     .counter = Make({"A", "B"}, kCounted, false, {{kV, 1}}, kN),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(2, 0), F(3), R(1, 0), F(4)},
     .counts_after = std::vector<int>{0}},
    {.name = "EmptyFallbackClassTakesTheHighestClassPresent",
     .queues =
         {{"A", kV, 0, 1}, {"A", kV, 1, 2}, {"A", kV, 2, 3}, {"A", kG, 5, 4}, {"A", kG, 6, 5}},
     .counter = Make({"A"}, kCounted, false, {{kV, 1}}, kN),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(1, 0), F(4), R(2, 0), F(5), R(3, 0)},
     .counts_after = std::vector<int>{1}},
    {.name = "EmptyFallbackClassPrefersAnAppointment",
     .queues = {{"A", kV, 0, 1}, {"A", kV, 1, 2}, {"A", kG, 5, 4}, {"A", kP, 9, 6}},
     .counter = Make({"A"}, kCounted, false, {{kV, 1}}, kN),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(1, 0), F(6), R(2, 0), F(4)},
     .counts_after = std::vector<int>{0}},
    {.name = "ARuleWithNobodyOfItsClassIsSkippedWithoutAReset",
     .queues = {{"A", kV, 0, 1}, {"A", kV, 1, 2}, {"A", kN, 0, 3}, {"A", kN, 1, 4}},
     .counter = Make({"A"}, kCounted, false, {{kG, 2}, {kV, 1}}, kN),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(1, 1), F(3), R(2, 1), F(4)},
     .counts_after = std::vector<int>{0, 0}},
    {.name = "CountsCarryOverAndResetOnlyOnTheFallback",
     // The green rule's quota is already used up when the table starts.
     .queues = {{"A", kG, 0, 1},
                {"A", kG, 1, 2},
                {"A", kV, 0, 3},
                {"A", kV, 1, 4},
                {"A", kN, 0, 5},
                {"A", kN, 1, 6}},
     .counter = Make({"A"}, kCounted, false, {{kG, 1}, {kV, 1}}, kN, {1, 0}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(3, 1), F(5), R(1, 0), R(4, 1), F(6), R(2, 0)},
     .counts_after = std::vector<int>{1, 0}},
    {.name = "ARuleForTheNormalClassWithAVipFallback",
     .queues = {{"A", kN, 0, 1},
                {"A", kN, 1, 2},
                {"A", kN, 2, 3},
                {"A", kN, 3, 4},
                {"A", kV, 0, 5},
                {"A", kV, 1, 6}},
     .counter = Make({"A"}, kCounted, false, {{kN, 3}}, kV),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {R(1, 0), R(2, 0), R(3, 0), F(5), R(4, 0), F(6)},
     .counts_after = std::vector<int>{0}},
    {.name = "HeldTicketsDoNotFeedARule",
     .queues = {{"A", kG, 20, 1}, {"A", kN, 0, 2}, {"A", kN, 1, 3}},
     .counter = Make({"A"}, kCounted, false, {{kG, 1}}, kN),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {F(2), F(3)},
     .counts_after = std::vector<int>{0}},
};

// --- green-channel counter ---------------------------------------------------
const std::vector<PolicyCase> kGreenCounterCases = {
    {.name = "GreenTicketsOfAnyServiceFirstEvenBeforeAppointments",
     .queues = {{"A", kP, 0, 1}, {"A", kN, 0, 2}, {"B", kG, 5, 3}, {"B", kG, 3, 4}},
     .counter = Make({"A", "B"}, kInOrder, true),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {Gc(4), Gc(3), S(1), S(2)}},
    {.name = "NotOutsideItsProfile",
     .queues = {{"B", kG, 0, 1}, {"A", kN, 5, 2}},
     .counter = Make({"A"}, kInOrder, true),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(2)}},
    {.name = "WithLongestWait",
     .queues = {{"A", kV, 0, 1}, {"A", kG, 9, 2}, {"B", kG, 7, 3}, {"B", kP, 8, 4}},
     .counter = Make({"A", "B"}, kLongestWait, true),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {Gc(3), Gc(2), S(4), S(1)}},
    {.name = "AnOrdinaryCounterTreatsGreenAsJustAClass",
     .queues = {{"A", kN, 0, 1}, {"B", kG, 0, 2}},
     .counter = Make({"A", "B"}, kInOrder, false),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {S(1), S(2)}},
    {.name = "GreenCallsLeaveTheCountedCountsAlone",
     // One of two VIP calls is used up; the green call must neither count nor reset.
     .queues =
         {{"A", kG, 5, 1}, {"A", kV, 0, 3}, {"A", kV, 1, 4}, {"A", kN, 0, 5}, {"A", kN, 1, 6}},
     .counter = Make({"A"}, kCounted, true, {{kV, 2}}, kN, {1}),
     .now_min = 10,
     .max_wait_min = kPatient,
     .expected = {Gc(1), R(3, 0), F(5), R(4, 0), F(6)},
     .counts_after = std::vector<int>{0}},
};

// --- max_wait promotion ------------------------------------------------------
const std::vector<PolicyCase> kOverdueCases = {
    {.name = "OverdueBeatsEveryClassAndTheGreenCounter",
     .queues =
         {{"A", kN, 30, 1}, {"A", kN, 45, 2}, {"B", kN, 10, 3}, {"B", kG, 50, 4}, {"B", kP, 50, 5}},
     .counter = Make({"A", "B"}, kInOrder, true),
     .now_min = 60,
     .max_wait_min = {{"A", 20}, {"B", 60}},
     .expected = {O(1), Gc(4), S(2), S(5), S(3)}},
    {.name = "OverdueEarliestQueuedFirstAcrossServicesAndClasses",
     .queues = {{"A", kP, 80, 1}, {"A", kN, 50, 2}, {"B", kN, 40, 3}, {"B", kV, 95, 4}},
     .counter = Make({"A", "B"}),
     .now_min = 100,
     .max_wait_min = {{"A", 10}, {"B", 10}},
     .expected = {O(3), O(2), O(1), S(4)}},
    {.name = "OverdueTiesByIdAcrossServices",
     .queues = {{"A", kN, 0, 9}, {"B", kV, 0, 4}, {"B", kN, 50, 5}},
     .counter = Make({"A", "B"}),
     .now_min = 100,
     .max_wait_min = {{"A", 10}, {"B", 10}},
     .expected = {O(4), O(9), O(5)}},
    {.name = "WaitingExactlyMaxWaitIsNotYetOverdue",
     .queues = {{"A", kN, 10, 1}, {"A", kV, 15, 2}, {"A", kN, 9, 3}},
     .counter = Make({"A"}),
     .now_min = 20,
     .max_wait_min = {{"A", 10}},
     .expected = {O(3), S(2), S(1)}},
    {.name = "EachServiceHasItsOwnMaxWait",
     .queues = {{"A", kN, 0, 1}, {"A", kV, 20, 2}, {"B", kN, 20, 3}},
     .counter = Make({"A", "B"}, kLongestWait),
     .now_min = 30,
     .max_wait_min = {{"A", 60}, {"B", 5}},
     .expected = {O(3), S(2), S(1)}},
    {.name = "OverdueOutsideTheProfileIsNotCalled",
     .queues = {{"B", kN, 0, 1}, {"A", kV, 95, 2}, {"A", kN, 96, 3}},
     .counter = Make({"A"}),
     .now_min = 100,
     .max_wait_min = {{"A", 10}, {"B", 10}},
     .expected = {S(2), S(3)}},
    {.name = "AHeldTicketIsNeverOverdue",
     .queues = {{"A", kN, 12, 1}, {"A", kN, 8, 2}},
     .counter = Make({"A"}),
     .now_min = 10,
     .max_wait_min = {{"A", 1}},
     .expected = {O(2)}},
    {.name = "OverdueCallsLeaveTheCountedCountsAlone",
     .queues =
         {{"A", kN, 0, 9}, {"A", kV, 40, 3}, {"A", kV, 41, 4}, {"A", kN, 45, 5}, {"A", kN, 46, 6}},
     .counter = Make({"A"}, kCounted, false, {{kV, 2}}, kN, {1}),
     .now_min = 60,
     .max_wait_min = {{"A", 30}},
     .expected = {O(9), R(3, 0), F(5), R(4, 0), F(6)},
     .counts_after = std::vector<int>{0}},
    {.name = "OverdueOnAGreenCountedCounterBeforeGreenAndRules",
     .queues = {{"A", kG, 55, 1}, {"A", kV, 50, 2}, {"B", kN, 5, 3}},
     .counter = Make({"A", "B"}, kCounted, true, {{kV, 1}}, kN),
     .now_min = 60,
     .max_wait_min = {{"A", 30}, {"B", 30}},
     .expected = {O(3), Gc(1), R(2, 0)},
     .counts_after = std::vector<int>{1}},
};

class PolicyTableTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyTableTest, CallsInExactlyThisOrder) {
  const PolicyCase& row = GetParam();
  std::map<uint64_t, std::string> service_of;
  for (const Waiting& w : row.queues) service_of[w.id] = w.service;
  QueueIndex queues = IndexOf(row.queues);
  ASSERT_EQ(queues.size(), row.queues.size()) << "duplicate ticket in the table";
  const MaxWaits max_waits = MaxWaitsOf(row.max_wait_min);
  const absl::Time now = At(row.now_min);

  Counter counter = row.counter;
  std::vector<Call> calls;
  for (size_t i = 0; i <= row.queues.size(); ++i) {
    std::optional<CallDecision> d = ChooseNext(queues, counter, max_waits, now);
    if (!d) break;
    // The decision names a ticket that is really waiting, with its own key.
    EXPECT_EQ(d->key.id, d->ticket_id);
    EXPECT_EQ(d->service_code, service_of[d->ticket_id]) << "ticket " << d->ticket_id;
    ASSERT_TRUE(queues.QueueOf(d->service_code).contains(d->key))
        << "ticket " << d->ticket_id << " is not waiting in " << d->service_code;
    calls.push_back(FromDecision(*d));
    queues.Erase(d->service_code, d->key);
    RecordCall(counter, *d);
  }
  EXPECT_THAT(calls, ElementsAreArray(row.expected));
  if (row.counts_after) {
    EXPECT_EQ(counter.counted_calls, *row.counts_after);
  }

  // PreviewOrder with this counter alone predicts the same calls.
  std::vector<Call> preview;
  for (const PreviewEntry& e : PreviewOrder(IndexOf(row.queues), {row.counter}, max_waits, now)) {
    EXPECT_EQ(e.counter, row.counter.number);
    preview.push_back(FromPreview(e, false));
  }
  std::vector<Call> expected_preview = row.expected;
  for (Call& c : expected_preview) c.rule = -1;  // PreviewEntry has no rule index
  EXPECT_THAT(preview, ElementsAreArray(expected_preview));
}

std::string RowName(const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(InOrder, PolicyTableTest, ::testing::ValuesIn(kInOrderCases), RowName);
INSTANTIATE_TEST_SUITE_P(LongestWait, PolicyTableTest, ::testing::ValuesIn(kLongestWaitCases),
                         RowName);
INSTANTIATE_TEST_SUITE_P(Counted, PolicyTableTest, ::testing::ValuesIn(kCountedCases), RowName);
INSTANTIATE_TEST_SUITE_P(GreenChannelCounter, PolicyTableTest,
                         ::testing::ValuesIn(kGreenCounterCases), RowName);
INSTANTIATE_TEST_SUITE_P(MaxWait, PolicyTableTest, ::testing::ValuesIn(kOverdueCases), RowName);

// --- The pieces on their own -------------------------------------------------

TEST(ClassRankTest, AppointmentThenGreenThenVipThenNormal) {
  EXPECT_EQ(ClassRank(kP), 0);
  EXPECT_EQ(ClassRank(kG), 1);
  EXPECT_EQ(ClassRank(kV), 2);
  EXPECT_EQ(ClassRank(kN), 3);
}

TEST(QueueIndexTest, HeadIsTheEarliestOfAClassAndOnlyOnceCallable) {
  QueueIndex q = IndexOf({{"A", kN, 5, 3}, {"A", kN, 5, 2}, {"A", kV, 20, 4}, {"B", kN, 0, 1}});
  ASSERT_EQ(q.size(), 4u);
  const QueueIndex::Key* head = q.Head("A", ClassRank(kN), At(10));
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->id, 2u);
  EXPECT_EQ(q.Head("A", ClassRank(kV), At(19)), nullptr);  // held until minute 20
  ASSERT_NE(q.Head("A", ClassRank(kV), At(20)), nullptr);
  EXPECT_EQ(q.Head("A", ClassRank(kG), At(30)), nullptr);
  EXPECT_EQ(q.Head("C", ClassRank(kN), At(30)), nullptr);
  EXPECT_THAT(q.QueueOf("C"), IsEmpty());

  // Erasing twice, or what is not there, changes nothing.
  const QueueIndex::Key two{.rank = ClassRank(kN), .queued_at = At(5), .id = 2};
  q.Erase("A", two);
  q.Erase("A", two);
  q.Erase("C", two);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.Head("A", ClassRank(kN), At(10))->id, 3u);
  q.Insert("A", two);
  q.Insert("A", two);  // inserted once
  EXPECT_EQ(q.size(), 4u);
}

TEST(RecordCallTest, OnlyCountedCountersCount) {
  Counter in_order = Make({"A"});
  RecordCall(in_order, CallDecision{.ticket_id = 1, .service_code = "A", .reason = kStrat});
  EXPECT_THAT(in_order.counted_calls, IsEmpty());

  Counter counted = Make({"A"}, kCounted, false, {{kG, 2}, {kV, 1}}, kN);
  RecordCall(counted, CallDecision{.ticket_id = 1, .reason = kRule, .rule = 1});
  EXPECT_EQ(counted.counted_calls, (std::vector<int>{0, 1}));
  RecordCall(counted, CallDecision{.ticket_id = 2, .reason = kRule, .rule = 0});
  EXPECT_EQ(counted.counted_calls, (std::vector<int>{1, 1}));
  RecordCall(counted, CallDecision{.ticket_id = 3, .reason = kOver});
  RecordCall(counted, CallDecision{.ticket_id = 4, .reason = kGreenCtr});
  EXPECT_EQ(counted.counted_calls, (std::vector<int>{1, 1}));
  RecordCall(counted, CallDecision{.ticket_id = 5, .reason = kFallback});
  EXPECT_EQ(counted.counted_calls, (std::vector<int>{0, 0}));
}

// --- PreviewOrder with several counters ---------------------------------------

Counter Numbered(uint32_t number, Counter c) {
  c.number = number;
  c.name = "Counter " + std::to_string(number);
  return c;
}
Call By(Call c, uint32_t counter) {
  c.counter = counter;
  c.rule = -1;
  return c;
}
std::vector<Call> Preview(const std::vector<Waiting>& waiting, std::vector<Counter> counters,
                          const std::map<std::string, int>& max_wait_min, int now_min) {
  std::vector<Call> calls;
  for (const PreviewEntry& e :
       PreviewOrder(IndexOf(waiting), std::move(counters), MaxWaitsOf(max_wait_min), At(now_min))) {
    calls.push_back(FromPreview(e, true));
  }
  return calls;
}

TEST(PreviewOrderTest, TwoCountersTakeTurnsByNumber) {
  // Given out of order on purpose: counter 1 goes first in every round.
  const std::vector<Counter> counters = {Numbered(2, Make({"A"})),
                                         Numbered(1, Make({"B", "A"}, kLongestWait))};
  EXPECT_THAT(
      Preview({{"A", kN, 0, 1}, {"A", kN, 1, 2}, {"A", kN, 2, 3}, {"A", kN, 3, 4}, {"B", kN, 2, 5}},
              counters, kPatient, 10),
      ElementsAreArray({By(S(1), 1), By(S(2), 2), By(S(3), 1), By(S(4), 2), By(S(5), 1)}));
}

TEST(PreviewOrderTest, ACounterWithNobodyLeftIsSkipped) {
  EXPECT_THAT(Preview({{"B", kN, 5, 5}, {"A", kN, 0, 1}, {"A", kN, 1, 2}, {"A", kN, 2, 3}},
                      {Numbered(1, Make({"B"})), Numbered(2, Make({"A"}))}, kPatient, 10),
              ElementsAreArray({By(S(5), 1), By(S(1), 2), By(S(2), 2), By(S(3), 2)}));
}

TEST(PreviewOrderTest, HeldAndUnreachableTicketsAreLeftOut) {
  EXPECT_THAT(Preview({{"A", kN, 0, 1}, {"A", kN, 20, 2}, {"C", kN, 0, 3}},
                      {Numbered(1, Make({"A"})), Numbered(2, Make({"A", "B"}))}, kPatient, 10),
              ElementsAreArray({By(S(1), 1)}));
  EXPECT_THAT(Preview({{"A", kN, 0, 1}}, {}, kPatient, 10), IsEmpty());
}

TEST(PreviewOrderTest, CountedAndGreenCountersSharingAQueue) {
  const std::vector<Counter> counters = {Numbered(1, Make({"A"}, kCounted, false, {{kV, 1}}, kN)),
                                         Numbered(2, Make({"A"}, kInOrder, true))};
  EXPECT_THAT(Preview({{"A", kG, 0, 1},
                       {"A", kG, 1, 2},
                       {"A", kV, 2, 3},
                       {"A", kV, 3, 4},
                       {"A", kN, 0, 5},
                       {"A", kN, 1, 6}},
                      counters, kPatient, 10),
              ElementsAreArray({By(R(3, 0), 1), By(Gc(1), 2), By(F(5), 1), By(Gc(2), 2),
                                By(R(4, 0), 1), By(S(6), 2)}));
}

TEST(PreviewOrderTest, OverdueTicketsComeFirstForTheCountersThatServeThem) {
  EXPECT_THAT(
      Preview({{"A", kV, 45, 1}, {"A", kN, 30, 2}, {"B", kN, 0, 3}},
              {Numbered(1, Make({"A"})), Numbered(2, Make({"B"}))}, {{"A", 10}, {"B", 100}}, 50),
      ElementsAreArray({By(O(2), 1), By(S(3), 2), By(S(1), 1)}));
}

}  // namespace
}  // namespace lobbyq::domain
