// Per-test budgets by test level. Unit specs keep jest's 5 s. Integration and e2e specs start applications, servers
// or child processes, which on a loaded 2-core machine can take far longer than 5 s: they get 60 s per test and hook.
// A suite that needs more still sets its own with jest.setTimeout (it runs after this file).
const { testPath } = expect.getState();
if (/\.(int|e2e)\.spec\.ts$/.test(testPath ?? '')) jest.setTimeout(60_000);
