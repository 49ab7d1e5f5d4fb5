/**
 * deploy/template.json evaluated for the contract tests (template.test.ts, templateRole.test.ts): the parameter sets
 * it is checked with (the evaluator itself is harness/templateEvaluation.ts, shared with the stand-ins), and what the
 * code does, read from the sources the Lambda bundle is built from (the SDK calls it makes, the variables it reads).
 */

import { projectRoot } from '../../harness/bundle';
import { handlerSources, importsOf } from '../../harness/bundleSources';
import { Evaluation, section } from '../../harness/templateEvaluation';

export { Evaluation, type JsonObject } from '../../harness/templateEvaluation';

export const ROOT = projectRoot();
export const parameters = section('Parameters');
export const resources = section('Resources');
export const conditions = section('Conditions');

export const MASTER_STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-05-01T12:00:00.000';
export const MASTER_TABLE = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';
export const SLAVE_TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/OrdersReplica';
export const SLAVE_ROLE = 'arn:aws:iam::210987654321:role/replica-writer';
/** A slave table of another account, reached through its resource-based policy (SlaveTableArn). */
export const FOREIGN_SLAVE_TABLE = 'arn:aws:dynamodb:eu-west-1:444455556666:table/OrdersReplica';
const REQUIRED = {
  MasterStreamArn: MASTER_STREAM,
  SlaveRegion: 'eu-west-1',
  SlaveTable: 'OrdersReplica',
  CodeS3Bucket: 'artifacts',
};

/** Parameter sets the template is checked with. */
export const SCENARIOS: Record<string, Record<string, string>> = {
  'own-account slave, NEW_IMAGE stream (defaults)': { ...REQUIRED },
  'cross-account slave with external id, TTL deletes skipped': {
    ...REQUIRED,
    SlaveRoleArn: SLAVE_ROLE,
    SlaveExternalId: 'replica-7d1f',
    ReplicateTtlDeletes: 'false',
    AlarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:ops',
  },
  'KEYS_ONLY stream': { ...REQUIRED, MasterStreamViewType: 'KEYS_ONLY' },
  'OLD_IMAGE stream, cross-account slave': { ...REQUIRED, MasterStreamViewType: 'OLD_IMAGE', SlaveRoleArn: SLAVE_ROLE },
  'slave by table ARN (another account, its resource-based policy)': {
    MasterStreamArn: MASTER_STREAM,
    CodeS3Bucket: 'artifacts',
    SlaveTableArn: FOREIGN_SLAVE_TABLE,
  },
};

/** The template evaluated with the parameters of scenario `name`. */
export function evaluate(name: string): Evaluation {
  const params = SCENARIOS[name];
  if (!params) throw new Error(`no scenario ${name}`);
  return new Evaluation(params);
}

/** The one resource of `type`. */
export function only(type: string): string {
  const ids = Evaluation.ofType(type);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** The function role's policy statements for one evaluation. */
export function statementsOf(evaluation: Evaluation): Statement[] {
  const role = evaluation.properties(only('AWS::IAM::Role'));
  const policies = role.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  expect(role.ManagedPolicyArns).toBeUndefined();
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The function's environment variables for one evaluation. */
export function environmentOf(evaluation: Evaluation): Record<string, string> {
  return (evaluation.properties(only('AWS::Lambda::Function')).Environment as { Variables: Record<string, string> })
    .Variables;
}

export function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Actions granted on `resource` (exact match) by `statements`. */
export function actionsOn(statements: Statement[], resource: string): string[] {
  return statements
    .filter((statement) => list(statement.Resource).includes(resource))
    .flatMap((statement) => list(statement.Action))
    .sort();
}

// --- what the code does, read from the sources the Lambda bundle is built from ---------------------------------

const sources = handlerSources(ROOT);
export const allSource = [...sources.values()].join('\n');

/** IAM service prefix of each AWS SDK client package the handler may use. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sts': 'sts',
};

/** Credential providers that call an AWS API themselves, and the action each needs. */
const ACTIONS_OF_CREDENTIAL_PROVIDER: Record<string, string[]> = {
  fromTemporaryCredentials: ['sts:AssumeRole'],
  // Reads ~/.aws/config and ~/.aws/credentials; only the operator tools name a profile (--from/--to-profile), the
  // function's configuration has none, so it adds nothing to the function's role.
  fromIni: [],
};

/** The IAM actions the handler's code calls: `new XCommand(` of an SDK client, and credential providers. */
export function codeActions(): { actions: Set<string>; operations: Map<string, Set<string>> } {
  const actions = new Set<string>();
  const operations = new Map<string, Set<string>>();
  for (const [file, text] of sources) {
    const imports = importsOf(text);
    for (const [, command] of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const from = imports.get(`${command}Command`);
      const service = from === undefined ? undefined : SERVICE_OF_PACKAGE[from];
      if (!service)
        throw new Error(
          `${file}: new ${command}Command( from ${from ?? 'no import'}: map its package to an IAM service`,
        );
      actions.add(`${service}:${command}`);
      if (!operations.has(service)) operations.set(service, new Set());
      operations.get(service)?.add(command ?? '');
    }
    for (const [name, from] of imports) {
      if (from !== '@aws-sdk/credential-providers') continue;
      const needed = ACTIONS_OF_CREDENTIAL_PROVIDER[name];
      if (!needed) throw new Error(`${file}: ${name} from @aws-sdk/credential-providers: say which actions it calls`);
      needed.forEach((action) => {
        actions.add(action);
      });
    }
  }
  return { actions, operations };
}

/** Environment variables the bundle's own code reads (`env.X` of the config, `process.env.X`, the settings' `variable`s). */
export function codeVariables(): Set<string> {
  const names = new Set<string>();
  for (const match of allSource.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1] as string);
  // The settings both the environment and the library's options give (src/function/settings.ts) name their variable.
  for (const match of allSource.matchAll(/\bvariable:\s*'([A-Z][A-Z0-9_]*)'/g)) names.add(match[1] as string);
  return names;
}

/** Actions of the Lambda service for the trigger (stream reads), the log group, and the on-failure queue. */
export const PLATFORM_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'sqs:SendMessage',
];
