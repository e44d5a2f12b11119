const { getJestProjectsAsync } = require('@nx/jest');

// Every project's own jest.config.js, run together by `npm test` (tools/test/run-tests.mjs).
module.exports = async () => ({
  projects: await getJestProjectsAsync(),
});
