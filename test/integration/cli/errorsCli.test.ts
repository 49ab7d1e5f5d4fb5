/**
 * The CLI's answers to an unusable setup, against DynamoDB Local: exit code 2 and a message saying what is wrong.
 */
import { scanAll } from '../../../harness/tables';
import { formatTableRef } from '../../../src/shared/tableRef';
import { MASTER_REGION, runCli, SLAVE_REGION, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();

describe('CLI errors', () => {
  test('a slave table that does not exist is named as the slave, with its region and the command that creates it, exit code 2', async () => {
    // Prepare
    const tables = await tablePair(clients);

    // Act
    const result = await runCli([
      'backfill',
      formatTableRef(tables.master),
      `${SLAVE_REGION}/no-such-table`,
      '--quiet',
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `slave table no-such-table not found in region ${SLAVE_REGION}: create it with the master's definition (dynamo-replicator create-slave <master> <slave>)`,
    );
    expect(result.stdout).toBe('');
  });

  test('a master table in the wrong region is reported missing in the region given, with the options that name it', async () => {
    // Prepare: the master exists in us-east-1 only
    const tables = await tablePair(clients);

    // Act
    const result = await runCli([
      'verify',
      `${SLAVE_REGION}/${tables.master.table}`,
      formatTableRef(tables.slave),
      '--quiet',
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `master table ${tables.master.table} not found in region ${SLAVE_REGION}: check its name and region (the first argument, or --from-region and --from-table)`,
    );
  });

  test('key schemas that differ are shown side by side, before any item is read or written', async () => {
    // Prepare: the master has pk (S) + sk (N), the slave pk (S) only
    const tables = await tablePair(clients, { sortKeyType: 'N' }, { sortKeyType: undefined });

    // Act
    const result = await runCli(['backfill', formatTableRef(tables.master), formatTableRef(tables.slave), '--quiet']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `key schemas differ: master ${MASTER_REGION}/${tables.master.table} has pk (S) + sk (N), slave ${SLAVE_REGION}/${tables.slave.table} has pk (S)`,
    );
  });

  test('the default (watched) backfill of a master without a stream stops before writing and says what to do', async () => {
    // Prepare: a master without a stream, so no replicator can be running either
    const tables = await tablePair(clients);

    // Act
    const result = await runCli(['backfill', formatTableRef(tables.master), formatTableRef(tables.slave), '--quiet']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the master ${formatTableRef(tables.master)} has no stream enabled`);
    expect(result.stderr).toContain('enable the stream and start the replicator first');
    expect(result.stderr).toContain('--write-mode batch');
    expect(await scanAll(clients.slave, tables.slave.table)).toEqual([]);
  });

  test('a wrong command line is a usage error pointing to --help', async () => {
    // Act
    const result = await runCli(['backfill', 'Orders', '--quiet']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('master "Orders" must be region/table');
    expect(result.stderr).toContain('--help');
  });
});
