/**
 * Entry point of the Lambda bundle (`index.handler`): reads the configuration and creates the slave clients once
 * per container, at init, so every invocation reuses them and their keep-alive connections.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { type Config, loadConfig } from './config';
import { ConfigError } from './errors';
import { createHandler } from './handler';
import { Slave } from './slave';

/** Service name in every log line, unless POWERTOOLS_SERVICE_NAME names another. */
export const SERVICE_NAME = 'dynamo-replicator';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });

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
 * One client per slave, each with its own keep-alive sockets, as many as calls may be in flight at once. Timeouts
 * bound a call that hangs; the SDK's retry settings stay its own (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE).
 */
const slaves = config.slaves.map((target) => {
  const agent = { keepAlive: true, maxSockets: config.writeConcurrency };
  const client = new DynamoDBClient({
    region: target.region,
    requestHandler: { httpAgent: agent, httpsAgent: agent, connectionTimeout: 3000, requestTimeout: 10_000 },
  });
  return new Slave(client, target, config.writeConcurrency);
});

/** The Lambda handler. */
export const handler = createHandler({ slaves, logger });
