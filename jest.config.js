/**
 * Three Jest projects, so that what needs no service does not wait for one, and one run balances everything over
 * the workers:
 * - `unit`: the unit, contract and script tests, and the harness tests that start nothing (no global setup: no
 *   DynamoDB Local, no local Lambda runtimes, no build);
 * - `integration`: everything that runs against DynamoDB Local or the local Lambda (test/integration, the rest of
 *   test/harness), after the global setup that builds dist/, prepares the runtimes and starts DynamoDB Local; the
 *   zip runs on nodejs22.x (aws-lambda-ric 3.x on-demand, 4.x on Managed Instances);
 * - `nodejs24.x`: the integration suites whose result the runtime can change (the zip end to end through the event
 *   source mapping, its logs, its faults and timeouts, Managed Instances, the STS path) again, with the zip on
 *   nodejs24.x and its client 4.x (LAMBDA_NODE_MAJOR=24, test/helpers/nodejs24.cjs). Not the replication logic's
 *   cases (bad input, view types, TTL, partial replicas: the same JavaScript on either Node), not the soak, not the
 *   operator tools (they run on the operator's Node 20 or later).
 * Files run longest first, also in a fresh clone without Jest's timings (test/helpers/slowFirstSequencer.cjs).
 * `jest --selectProjects unit` runs the first alone (paths go before `--selectProjects`). The unit harness tests
 * listed in UNIT_HARNESS are left out of `integration`.
 */
const UNIT_HARNESS = [
  'lambdaRuntime',
  'staleBuild',
  'templateSettings',
  'latencyProxy',
  'javaCommand',
  'eventSourceMappingSettings',
  'shardSplit',
];
const NODEJS24_SUITES = ['replication', 'logs', 'faults', 'faultsPoison', 'managedInstances', 'assumeRole'];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '<rootDir>/test/helpers/esbuildTransform.cjs' },
};

/** What the integration projects share: the global setup and teardown (run once per Jest run, not per project). */
const integration = {
  ...common,
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  testTimeout: 120000,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  testSequencer: '<rootDir>/test/helpers/slowFirstSequencer.cjs',
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
      ...integration,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/{integration,harness}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT_HARNESS.map((name) => `/test/harness/${name}\\.test\\.ts$`)],
    },
    {
      ...integration,
      displayName: 'nodejs24.x',
      testMatch: NODEJS24_SUITES.map((name) => `<rootDir>/test/integration/${name}.test.ts`),
      setupFiles: ['<rootDir>/test/helpers/nodejs24.cjs'],
    },
  ],
};
