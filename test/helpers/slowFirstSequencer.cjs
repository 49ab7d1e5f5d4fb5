/**
 * Jest's order of test files: the longest first, so that no worker runs a long file alone at the end of the run.
 * Jest orders by the durations of the previous run, which a fresh clone (CI) does not have, and otherwise by file
 * size, which starts short files and leaves slow ones last. Here a file without a recorded duration gets the seconds
 * it took in `.ci/run` on the 2-core machine with 4 workers (rough is enough: only the order matters), and the files
 * not listed a default by folder.
 */
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const EXPECTED_SECONDS = {
  'test/integration/soak.test.ts': 82,
  'test/integration/faults.test.ts': 82,
  'test/integration/cli/race.test.ts': 85,
  'test/integration/library.test.ts': 47,
  'test/integration/soakLateWrites.test.ts': 40,
  'test/integration/cli/backfill.test.ts': 52,
  'test/integration/cli/hooks.test.ts': 38,
  'test/integration/replication.test.ts': 28,
  'test/integration/libraryNode24.test.ts': 28,
  'test/integration/cli/crossAccount.test.ts': 28,
  'test/integration/cli/resumeCli.test.ts': 25,
  'test/integration/originalPolicy.test.ts': 22,
  'test/integration/viewTypes.test.ts': 20,
  'test/integration/replicationCases.test.ts': 19,
  'test/integration/cli/newReplica.test.ts': 18,
  'test/unit/cdk/entry.test.ts': 17,
};

class SlowFirstSequencer extends Sequencer {
  time(test) {
    const recorded = super.time(test);
    if (recorded != null) return recorded;
    const file = relative(test.context.config.rootDir, test.path).split('\\').join('/');
    return EXPECTED_SECONDS[file] ?? (/^test\/(unit|contract|scripts)\//.test(file) ? 1 : 5);
  }
}

module.exports = SlowFirstSequencer;
