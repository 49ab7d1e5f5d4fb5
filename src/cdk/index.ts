/**
 * The CDK entry of the package (`require('dynamo-replicator/cdk')`, package.json "exports"), built to
 * dist/cdk/index.js apart from the library and the function's zip, so that neither grows and only CDK users need
 * aws-cdk-lib and constructs (optional peer dependencies).
 */
export { DynamoReplicator } from './dynamoReplicator';
export type { DynamoReplicatorProps, SlaveTableProps } from './props';
