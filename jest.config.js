/**
 * Two Jest projects, so that what needs no service does not wait for one:
 * - `unit`: the unit, contract and script tests, and the harness tests that start nothing (no global setup: no
 *   DynamoDB Local, no local Lambda runtimes, no build);
 * - `integration`: everything that runs against DynamoDB Local or the local Lambda (test/integration, the rest of
 *   test/harness), after the global setup that builds dist/, prepares the runtimes and starts DynamoDB Local.
 * `jest --selectProjects unit` runs the first alone. A test file belongs to exactly one project (the harness tests
 * listed in UNIT_HARNESS are left out of `integration`).
 */
const UNIT_HARNESS = ['lambdaRuntime', 'staleBuild', 'templateSettings', 'latencyProxy', 'javaCommand'];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '<rootDir>/test/helpers/esbuildTransform.cjs' },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/{unit,contract,scripts}/**/*.test.ts',
        ...UNIT_HARNESS.map((name) => `<rootDir>/test/harness/${name}.test.ts`),
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{integration,harness}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT_HARNESS.map((name) => `/test/harness/${name}\\.test\\.ts$`)],
      globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
      testTimeout: 120000,
    },
  ],
};
