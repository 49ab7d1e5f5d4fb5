/**
 * The package's entry (`require('dynamo-replicator')`, package.json `main`), built to dist/library/index.js.
 *
 * The original package exported a factory: `require('dynamo-replicator')({ region, table }).process(event)`, and
 * its README told users to deploy exactly that, so `module.exports` is still the factory. It also carries the named
 * exports (`createReplicator`, the errors, and the types through the merged namespace) and itself as `default`, so
 * `const { createReplicator } = require('dynamo-replicator')`, TypeScript's
 * `import { createReplicator } from 'dynamo-replicator'` and a default import work too.
 */
import { ConfigError as ConfigErrorClass } from '../replicator/errors';
import { HookError as HookErrorClass } from '../shared/hooks';
import { LegacyHandlerError as LegacyHandlerErrorClass, refuseWithoutLegacyContext } from './legacyHandler';
import type * as options from './options';
import * as replicator from './replicator';

/**
 * The original package's factory: a replicator for these options (the same options as {@link createReplicator}),
 * whose `process()` keeps the original contract — made for handlers that answer with context.succeed/fail, it
 * refuses every batch before writing on a runtime without them (./legacyHandler.ts).
 */
function dynamoReplicator(userOptions: options.ReplicatorOptions): replicator.Replicator {
  const made = replicator.createReplicator(userOptions);
  return {
    handler: made.handler,
    process(event, context) {
      refuseWithoutLegacyContext(process.env);
      return made.process(event, context);
    },
  };
}

namespace dynamoReplicator {
  /** Creates a replicator: its Lambda `handler` and the promise-returning `process`. */
  export const createReplicator = replicator.createReplicator;
  /** The options are unusable; `problems` lists every one. */
  export const ConfigError = ConfigErrorClass;
  export type ConfigError = ConfigErrorClass;
  /** A filter or transform threw or returned what cannot be written (fails the item's records). */
  export const HookError = HookErrorClass;
  export type HookError = HookErrorClass;
  /** `process` could not replicate some records; `failures` names them. */
  export const ReplicationFailedError = replicator.ReplicationFailedError;
  export type ReplicationFailedError = replicator.ReplicationFailedError;
  /** The original factory's `process` refused a batch: it is for context.succeed/fail, which this runtime lacks. */
  export const LegacyHandlerError = LegacyHandlerErrorClass;
  export type LegacyHandlerError = LegacyHandlerErrorClass;
  export type ReplicatorOptions = options.ReplicatorOptions;
  export type SlaveOptions = options.SlaveOptions;
  export type Replicator = replicator.Replicator;
  export type LambdaContext = replicator.LambdaContext;
  export type RecordFailure = replicator.RecordFailure;
  export type Item = import('../shared/item').Item;
  export type StreamRecord = import('../replicator/types').StreamRecord;
  export type BatchResponse = import('../function/handler').BatchResponse;
}

/** `import dynamoReplicator from 'dynamo-replicator'` from code compiled without esModuleInterop. */
dynamoReplicator.default = dynamoReplicator;

export = dynamoReplicator;
