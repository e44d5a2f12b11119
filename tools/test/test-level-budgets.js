// Per-test budgets by test level. A budget is not a speed check (benchmarks measure speed): it only ends a test that
// hangs. Unit specs get 30 s: some do seconds of CPU work alone (an AsyncAPI document through the parser's rules, RSA
// keys made, a directory of 25,000 entries folded), which took 7–14 s in CI runs of two suites at once on the 2-core
// machine, past jest's 5 s, and such a test passed only while its last step happened to end before the timer's turn.
// Integration and e2e specs start applications, servers or child processes: they get 60 s per test and hook.
// A suite that needs more still sets its own with jest.setTimeout (it runs after this file).
const { testPath } = expect.getState();
jest.setTimeout(/\.(int|e2e)\.spec\.ts$/.test(testPath ?? '') ? 60_000 : 30_000);
