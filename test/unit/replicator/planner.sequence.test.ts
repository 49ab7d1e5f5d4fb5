/**
 * The planner's order and checks across an item's records: sequence numbers compared as numbers however they are
 * written, and a change a later one supersedes checked as strictly as the one written.
 */
import { imageOf, insertRecord, keyOf, modifyRecord, seq, stream } from '../../../harness/records';
import { BlockedByEarlierFailureError } from '../../../src/replicator/errors';
import type { PlannedWrite, StreamRecord } from '../../../src/replicator/types';
import type { StreamImage } from '../../../src/shared/item';
import { delivered, planOf, sequenceNumbers, writeFor } from '../../helpers/plan';

describe('planBatch: sequence-number order', () => {
  test.each<[string, string[], string[]]>([
    // "9" < "10" as numbers but not as text.
    ['of different lengths', ['100', '9', '10'], ['9', '10', '100']],
    // "009" is 9, below "10" though longer; "0011" is 11.
    ['with leading zeros', ['0011', '10', '009'], ['009', '10', '0011']],
    ['of one length', [seq(3), seq(1), seq(2)], [seq(1), seq(2), seq(3)]],
  ])('records delivered out of order, sequence numbers %s: applied in numeric order', (_case, given, ordered) => {
    // Prepare: each record's image holds its own sequence number.
    const records = delivered(
      given.map((sequenceNumber, index) =>
        (index === 0 ? insertRecord : modifyRecord)(
          sequenceNumber,
          keyOf('a'),
          imageOf('a', { v: { S: sequenceNumber } }),
        ),
      ),
    );

    // Act
    const plan = planOf(records);

    // Assess
    const write = plan.writes[0] as PlannedWrite;
    expect(sequenceNumbers(write.records)).toEqual(ordered);
    expect(write.change).toMatchObject({ kind: 'put', item: { v: { S: ordered[ordered.length - 1] } } });
  });
});

describe('planBatch: superseded changes', () => {
  test('a bad record after a superseded one: the earlier change is written, decoded (binary as bytes)', () => {
    // Prepare: record 2 supersedes record 1 until it turns out malformed.
    const records = delivered([
      stream.insert(1, 'a', { blob: { B: 'AAH+/w==' }, list: { L: [{ BS: ['AQ=='] }] } }),
      stream.modify(2, 'a', { blob: { B: 'AAH+/w==' }, v: { N: 'x' } }),
      stream.modify(3, 'a'),
    ]);
    const [first, bad, blocked] = records as [StreamRecord, StreamRecord, StreamRecord];

    // Act
    const plan = planOf(records);

    // Assess
    const write = writeFor(plan, 'a') as PlannedWrite;
    expect(write.source).toBe(first);
    expect(write.records).toEqual([first]);
    expect(write.change).toMatchObject({
      kind: 'put',
      item: { blob: { B: Uint8Array.from([0, 1, 254, 255]) }, list: { L: [{ BS: [Uint8Array.from([1])] }] } },
    });
    expect(plan.rejected.get(bad)?.message).toContain('invalid attribute value at dynamodb.NewImage.v:');
    expect(plan.rejected.get(blocked)).toBeInstanceOf(BlockedByEarlierFailureError);
  });

  test.each<[string, StreamImage, StreamImage, string | undefined]>([
    ['lacks a key attribute', { pk: { S: 'a' } }, { v: { S: 'x' } }, 'NewImage lacks the key attribute(s) pk'],
    ['has another key', { pk: { S: 'a' } }, { pk: { S: 'b' } }, 'NewImage key attributes differ'],
    ['has the key as other text of the same number', { n: { N: '1.50' } }, { n: { N: '15e-1' } }, undefined],
    ['has the same binary key', { bin: { B: 'AQ==' } }, { bin: { B: 'AQ==' } }, undefined],
  ])('a superseded record whose NewImage %s is judged as if it were written', (_case, keys, image, problem) => {
    // Prepare
    const records = delivered([
      insertRecord(seq(1), keys, { ...image, v: { S: 'first' } }),
      modifyRecord(seq(2), keys, { ...keys, v: { S: 'second' } }),
    ]);
    const [superseded, last] = records as [StreamRecord, StreamRecord];

    // Act
    const plan = planOf(records);

    // Assess
    if (problem) {
      expect(plan.rejected.get(superseded)?.message).toContain(problem);
      expect(plan.rejected.get(last)).toBeInstanceOf(BlockedByEarlierFailureError);
      expect(plan.writes).toHaveLength(0);
    } else {
      expect(plan.rejected.size).toBe(0);
      expect(plan.writes[0]?.records).toEqual([superseded, last]);
      expect(plan.writes[0]?.change).toMatchObject({ kind: 'put', item: { v: { S: 'second' } } });
    }
  });
});
