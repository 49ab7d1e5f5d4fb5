/**
 * What the handler unit tests share: a handler built on one mocked SDK client (slave and master), made fresh for
 * each test, and a way to run it with its output captured and its JSON log lines parsed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { createHandler, type ReplicatorHandler } from '../../src/function/handler';
import { MasterReader } from '../../src/replicator/master';
import { Slave } from '../../src/replicator/slave';
import type { SlaveTarget } from '../../src/replicator/types';
import { FAST_RETRY, refuseItem, unitClient } from './sdkMocks';

export const SLAVE: SlaveTarget = { region: 'eu-west-1', table: 'OrdersReplica' };
export const ITEM_TOO_LARGE = 'Item size has exceeded the maximum allowed size';

/** One JSON log line as Powertools Logger prints it. */
export interface LogLine {
  level: string;
  message: string;
  [attribute: string]: unknown;
}

/** What an invocation returned or threw, and everything it printed on stdout and stderr. */
export interface Invocation<T> {
  readonly result: T | undefined;
  readonly error: unknown;
  readonly output: string;
  readonly lines: LogLine[];
}

/** Runs `act` with stdout and stderr captured (Powertools Logger prints its JSON lines there). */
export async function captured<T>(act: () => Promise<T>): Promise<Invocation<T>> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  let result: T | undefined;
  let error: unknown;
  try {
    result = await act();
  } catch (thrown) {
    error = thrown;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const output = chunks.join('');
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
  return { result, error, output, lines };
}

export function failedSequenceNumbers(
  result: { batchItemFailures: { itemIdentifier: string }[] } | undefined,
): string[] {
  return (result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier).sort();
}

/** How a test's handler is configured. */
export interface HandlerSettings {
  readonly replicateTtlDeletes: boolean;
  /** REPORT_BATCH_ITEM_FAILURES: true (the template's, and the default here) or false (the variable unset). */
  readonly reportBatchItemFailures?: boolean;
}

/** The handler of the current test, its mocked client, and handlers with other settings on the same client. */
export interface HandlerUnit {
  readonly ddb: AwsClientStub<DynamoDBClient>;
  /** The handler (replicating TTL deletes) of the current test. */
  readonly handler: ReplicatorHandler;
  /** A handler on the current test's client with other settings (partial responses on unless said otherwise). */
  handlerWith(options: HandlerSettings): ReplicatorHandler;
  /** The slave refuses the item with `pk = "big"` (as DynamoDB refuses an item over 400 KB) and takes the others. */
  refuseBigItem(): void;
}

/** Registers the per-test set-up and tear-down of a handler on a mocked client; call once at the top of a file. */
export function useHandler(): HandlerUnit {
  const ddb = mockClient(DynamoDBClient);
  let client: DynamoDBClient | undefined;
  const current = (): DynamoDBClient => {
    if (client === undefined) throw new Error('useHandler: used outside a test');
    return client;
  };
  const handlerWith = ({ replicateTtlDeletes, reportBatchItemFailures = true }: HandlerSettings): ReplicatorHandler => {
    const logger = new Logger({ serviceName: 'dynamo-replicator-test', logLevel: 'INFO' });
    const master = new MasterReader(current, 4, FAST_RETRY);
    const slaves = [new Slave(current(), SLAVE, 4, FAST_RETRY)];
    return createHandler({
      replication: { slaves, master, replicateTtlDeletes },
      logger,
      partialResponses: { enabled: reportBatchItemFailures, setting: 'REPORT_BATCH_ITEM_FAILURES' },
    });
  };
  let handler: ReplicatorHandler | undefined;
  beforeAll(() => {
    // With POWERTOOLS_DEV set, the logger would print through Jest's console instead of stdout.
    delete process.env.POWERTOOLS_DEV;
  });
  beforeEach(() => {
    ddb.reset();
    client = unitClient(SLAVE.region);
    handler = handlerWith({ replicateTtlDeletes: true });
  });
  afterEach(() => {
    client?.destroy();
  });
  return {
    ddb,
    handler: (event: unknown, context?: Context) => {
      if (handler === undefined) throw new Error('useHandler: used outside a test');
      return handler(event, context);
    },
    handlerWith,
    refuseBigItem: () => {
      refuseItem(ddb, 'big', ITEM_TOO_LARGE);
      ddb.on(DeleteItemCommand).resolves({});
    },
  };
}
