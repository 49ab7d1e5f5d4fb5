/**
 * Entry point of the Lambda bundle (`index.handler`): reads the configuration and creates the clients once per
 * container, at init, so every invocation reuses them, their keep-alive connections and their credentials.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigError } from '../replicator/errors';
import { MasterReader } from '../replicator/master';
import { Slave } from '../replicator/slave';
import { type ClientSettings, createClient, RegionalClients } from '../shared/clients';
import { type Config, loadConfig } from './config';
import { createHandler } from './handler';
import { DEFAULT_METRICS_NAMESPACE } from './metrics';

/** Service name in every log line, unless POWERTOOLS_SERVICE_NAME names another. */
export const SERVICE_NAME = 'dynamo-replicator';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
const logger = new Logger({ serviceName });

function configure(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message, { problems: error.problems });
    throw error;
  }
}

const config = configure();
/**
 * The function's clients: a socket per concurrent call, and timeouts that fail a hung call (3 s to connect, 10 s
 * for an answer) so the batch's time budget is spent retrying rather than waiting. The SDK's retry settings stay
 * its own (3 attempts in standard mode, or AWS_MAX_ATTEMPTS / AWS_RETRY_MODE): see src/shared/retry.ts.
 */
const clientSettings: ClientSettings = {
  maxSockets: config.writeConcurrency,
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 10_000,
  throwOnRequestTimeout: true,
};
const slaves = config.slaves.map(
  (target) => new Slave(createClient(target.region, clientSettings, target), target, config.writeConcurrency),
);
const master = new MasterReader(new RegionalClients(clientSettings).forRegion, config.writeConcurrency);
const metrics = slaves.map(
  (slave) =>
    new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
      serviceName,
      defaultDimensions: { SlaveTable: slave.name },
    }),
);

/** The Lambda handler. */
export const handler = createHandler({
  replication: { slaves, master, replicateTtlDeletes: config.replicateTtlDeletes },
  logger,
  metrics,
});
