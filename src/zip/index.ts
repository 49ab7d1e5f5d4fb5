/**
 * Entry point of the Lambda bundle (`index.handler`): reads the configuration and creates the clients (../function/replication.ts) once
 * per container, at init, so every invocation reuses them, their keep-alive connections and their credentials.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type Config, loadConfig } from '../function/config';
import { createHandler, SERVICE_NAME } from '../function/handler';
import { DEFAULT_METRICS_NAMESPACE } from '../function/metrics';
import { createReplication } from '../function/replication';
import { settingName } from '../function/settings';
import { ConfigError } from '../replicator/errors';

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
const replication = createReplication(config, { excludeSetting: settingName('excludeAttributes', 'environment') });
const metrics = replication.slaves.map(
  (slave) =>
    new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
      serviceName,
      defaultDimensions: { SlaveTable: slave.name },
    }),
);

/** The Lambda handler. */
export const handler = createHandler({
  replication,
  logger,
  metrics,
  partialResponses: {
    enabled: config.reportBatchItemFailures,
    setting: settingName('reportBatchItemFailures', 'environment'),
  },
});
