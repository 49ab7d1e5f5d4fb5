/**
 * createReplication, the function's long-lived parts as both the zip and the library make them: one slave per target
 * in order, and shaping only when hooks or excluded attributes ask for it (so the plain zip costs nothing extra).
 */
import { createReplication, functionClientSettings } from '../../../src/function/replication';
import type { Replication } from '../../../src/replicator/replicate';

const CONFIG = {
  slaves: [
    { region: 'eu-west-1', table: 'Orders' },
    { region: 'ap-southeast-2', table: 'OrdersAsia' },
  ],
  writeConcurrency: 8,
  replicateTtlDeletes: false,
  excludeAttributes: [],
  reportBatchItemFailures: true,
};

describe('createReplication', () => {
  test('one slave per configured target, in order, with the configured TTL setting and no shaping', () => {
    // Act
    const replication: Replication = createReplication(CONFIG, { excludeSetting: 'EXCLUDE_ATTRIBUTES' });

    // Assess
    expect(replication.slaves.map((slave) => slave.name)).toEqual(['eu-west-1/Orders', 'ap-southeast-2/OrdersAsia']);
    expect(replication.replicateTtlDeletes).toBe(false);
    expect(replication.shaping).toBeUndefined();
  });

  test('EXCLUDE_ATTRIBUTES alone gives a shaping that drops them', () => {
    // Prepare
    const config = { ...CONFIG, excludeAttributes: ['ssn'] };

    // Act
    const replication = createReplication(config, { excludeSetting: 'EXCLUDE_ATTRIBUTES' });
    const shaped = replication.shaping?.shape(
      { kind: 'put', itemKey: 'k', key: { pk: { S: 'a' } }, item: { pk: { S: 'a' }, ssn: { S: '1' } } },
      undefined,
    );

    // Assess
    expect(shaped).toEqual({ kind: 'put', itemKey: 'k', key: { pk: { S: 'a' } }, item: { pk: { S: 'a' } } });
  });

  test('the function’s client settings: a socket per concurrent write, timeouts that fail a hung call', () => {
    // Act
    const settings = functionClientSettings(8);

    // Assess
    expect(settings).toEqual({
      maxSockets: 8,
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 10_000,
      throwOnRequestTimeout: true,
    });
  });
});
