// How many tests run at once. Most of a test's time is a wait on PostgreSQL, Chromium or an app host (separate processes or
// threads), so four at a time keep a 2-core box busy where two leave it half idle: one slot is taken for a minute by the
// demo history (started first, see LongestFirst) and one for the browser collection, whose journeys run one after another.
// Tests of one collection never run at once (see AppCollection, BrowserCollection).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
