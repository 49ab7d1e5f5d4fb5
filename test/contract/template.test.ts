/**
 * deploy/template.json stays in step with the code: the handler it names is the one the zip exports, the
 * environment it sets is what the code reads (and loads as a valid configuration), its IAM actions are exactly the
 * calls the code and the trigger make, and its alarms watch metrics the code publishes.
 *
 * The template is evaluated for a few sets of parameters (own-account slave, cross-account slave with an external
 * id, streams without new images) by a small interpreter of the intrinsic functions it uses. The interpreter refuses
 * anything it does not know — an unknown function, a Ref or GetAtt to nothing, an undefined condition — so the
 * evaluation doubles as a check that every reference in the template resolves.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { projectRoot } from '../../harness/bundle';
import { handlerSources } from '../../harness/bundleSources';
import { loadConfig } from '../../src/lambda/config';
import { DEFAULT_METRICS_NAMESPACE } from '../../src/lambda/metrics';
import { Slave } from '../../src/replicator/slave';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ROOT = projectRoot();
const template = JSON.parse(readFileSync(join(ROOT, 'deploy', 'template.json'), 'utf8')) as JsonObject;
const NO_VALUE = Symbol('AWS::NoValue');
type Value = Json | typeof NO_VALUE | Value[] | { [key: string]: Value };

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'us-east-1',
  'AWS::StackName': 'orders-replica',
  'AWS::URLSuffix': 'amazonaws.com',
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function section(name: string): JsonObject {
  const value = template[name];
  if (!isObject(value)) throw new Error(`template has no ${name} section`);
  return value;
}

const parameters = section('Parameters');
const resources = section('Resources');
const conditions = section('Conditions');

/** The template evaluated with a set of parameter values (defaults for the rest). */
class Evaluation {
  private readonly params: Record<string, string>;

  public constructor(given: Record<string, string>) {
    this.params = {};
    for (const [name, definition] of Object.entries(parameters)) {
      const value =
        given[name] ??
        (isObject(definition) && definition.Default !== undefined ? String(definition.Default) : undefined);
      if (value === undefined) throw new Error(`parameter ${name} has no default and no value`);
      this.params[name] = value;
    }
    for (const name of Object.keys(given)) if (!(name in parameters)) throw new Error(`no parameter ${name}`);
  }

  /** The value of a parameter after defaults. */
  public param(name: string): string {
    const value = this.params[name];
    if (value === undefined) throw new Error(`no parameter ${name}`);
    return value;
  }

  /** Whether condition `name` holds. */
  public condition(name: string): boolean {
    const definition = conditions[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    return this.test(definition);
  }

  /** A resource's properties, evaluated (each to be checked by the caller). */
  public properties(logicalId: string): Record<string, unknown> {
    const resource = resources[logicalId];
    if (!isObject(resource)) throw new Error(`no resource ${logicalId}`);
    const properties = this.value(resource.Properties ?? {});
    if (!isObject(properties)) throw new Error(`resource ${logicalId} has no properties object`);
    return properties;
  }

  /** Logical ids of the resources of `type`. */
  public static ofType(type: string): string[] {
    return Object.entries(resources)
      .filter(([, resource]) => isObject(resource) && resource.Type === type)
      .map(([id]) => id);
  }

  private test(node: Json): boolean {
    if (!isObject(node)) throw new Error(`not a condition: ${JSON.stringify(node)}`);
    const [fn, args] = Object.entries(node)[0] ?? [];
    if (fn === 'Condition' && typeof args === 'string') return this.condition(args);
    if (!Array.isArray(args)) throw new Error(`bad condition ${JSON.stringify(node)}`);
    switch (fn) {
      case 'Fn::Equals':
        return this.value(args[0] ?? null) === this.value(args[1] ?? null);
      case 'Fn::Not':
        return !this.test(args[0] ?? null);
      case 'Fn::And':
        return args.every((arg) => this.test(arg));
      case 'Fn::Or':
        return args.some((arg) => this.test(arg));
      default:
        throw new Error(`unknown condition function ${String(fn)}`);
    }
  }

  private ref(name: string): Value {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in this.params) return this.param(name);
    if (name in PSEUDO) return PSEUDO[name] as string;
    if (name in resources) return `{ref:${name}}`;
    throw new Error(`Ref to nothing: ${name}`);
  }

  private getAtt(target: string): string {
    const [id = '', attribute] = target.split('.');
    if (!(id in resources) || !attribute) throw new Error(`GetAtt to nothing: ${target}`);
    return `{${id}.${attribute}}`;
  }

  private text(node: Json): string {
    const value = this.value(node);
    if (typeof value !== 'string') throw new Error(`expected a string from ${JSON.stringify(node)}`);
    return value;
  }

  private value(node: Json): Value {
    if (Array.isArray(node)) return node.map((item) => this.value(item)).filter((item) => item !== NO_VALUE);
    if (!isObject(node)) return node;
    const entries = Object.entries(node);
    const [fn, args] = entries[0] ?? [];
    if (entries.length === 1 && fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::'))) {
      switch (fn) {
        case 'Ref':
          return this.ref(String(args));
        case 'Fn::GetAtt':
          return this.getAtt(Array.isArray(args) ? args.join('.') : String(args));
        case 'Fn::If': {
          const [condition, then, otherwise] = args as [string, Json, Json];
          return this.value(this.condition(condition) ? then : otherwise);
        }
        case 'Fn::Sub': {
          const [format, variables] = (Array.isArray(args) ? args : [args, {}]) as [string, JsonObject];
          return format.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
            if (name in variables) return this.text(variables[name] ?? null);
            return name.includes('.') ? this.getAtt(name) : String(this.ref(name));
          });
        }
        case 'Fn::Join': {
          const [separator, items] = args as [string, Json];
          const list = this.value(items);
          if (!Array.isArray(list)) throw new Error('Fn::Join needs a list');
          return list.map(String).join(separator);
        }
        case 'Fn::Split': {
          const [separator, source] = args as [string, Json];
          return this.text(source).split(separator);
        }
        case 'Fn::Select': {
          const [index, list] = args as [number, Json];
          const items = this.value(list);
          if (!Array.isArray(items) || items[index] === undefined) throw new Error(`Fn::Select ${index} out of range`);
          return items[index] as Value;
        }
        default:
          throw new Error(`intrinsic function ${fn} is not understood by this test: teach it, or use another`);
      }
    }
    const result: { [key: string]: Value } = {};
    for (const [key, value] of entries) {
      const evaluated = this.value(value);
      if (evaluated !== NO_VALUE) result[key] = evaluated;
    }
    return result;
  }
}

const MASTER_STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-05-01T12:00:00.000';
const MASTER_TABLE = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';
const SLAVE_TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/OrdersReplica';
const SLAVE_ROLE = 'arn:aws:iam::210987654321:role/replica-writer';
const REQUIRED = {
  MasterStreamArn: MASTER_STREAM,
  SlaveRegion: 'eu-west-1',
  SlaveTable: 'OrdersReplica',
  CodeS3Bucket: 'artifacts',
};

/** Parameter sets the template is checked with. */
const SCENARIOS: Record<string, Record<string, string>> = {
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
};

/** The template evaluated with the parameters of scenario `name`. */
function evaluate(name: string): Evaluation {
  const params = SCENARIOS[name];
  if (!params) throw new Error(`no scenario ${name}`);
  return new Evaluation(params);
}

/** The one resource of `type`. */
function only(type: string): string {
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
function statementsOf(evaluation: Evaluation): Statement[] {
  const role = evaluation.properties(only('AWS::IAM::Role'));
  const policies = role.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  expect(role.ManagedPolicyArns).toBeUndefined();
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The function's environment variables for one evaluation. */
function environmentOf(evaluation: Evaluation): Record<string, string> {
  return (evaluation.properties(only('AWS::Lambda::Function')).Environment as { Variables: Record<string, string> })
    .Variables;
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Actions granted on `resource` (exact match) by `statements`. */
function actionsOn(statements: Statement[], resource: string): string[] {
  return statements
    .filter((statement) => list(statement.Resource).includes(resource))
    .flatMap((statement) => list(statement.Action))
    .sort();
}

// --- what the code does, read from the sources the Lambda bundle is built from ---------------------------------

const sources = handlerSources(ROOT);
const allSource = [...sources.values()].join('\n');

/** The IAM actions of the SDK commands the bundle sends: `new XCommand(` of @aws-sdk/client-dynamodb → dynamodb:X. */
function codeActions(): string[] {
  const actions = new Set<string>();
  for (const [file, text] of sources) {
    for (const match of text.matchAll(/new\s+(\w+)Command\(/g)) {
      const command = `${match[1] as string}Command`;
      const imported = new RegExp(`import\\s*{[^}]*\\b${command}\\b[^}]*}\\s*from\\s*'([^']+)'`, 's').exec(text)?.[1];
      if (imported !== '@aws-sdk/client-dynamodb')
        throw new Error(`${file}: ${command} comes from ${imported}; map its service here`);
      actions.add(`dynamodb:${match[1] as string}`);
    }
  }
  // Assumed roles: the SDK's credential provider calls STS AssumeRole.
  if (/fromTemporaryCredentials\(/.test(allSource)) actions.add('sts:AssumeRole');
  return [...actions].sort();
}

/** Environment variables the bundle's own code reads (`env.X` of the config, `process.env.X`). */
function codeVariables(): Set<string> {
  const names = new Set<string>();
  for (const match of allSource.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1] as string);
  return names;
}

/** Actions of the Lambda service for the trigger (stream reads), the log group, and the on-failure queue. */
const PLATFORM_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'sqs:SendMessage',
];

describe('deploy/template.json', () => {
  test.each(Object.entries(SCENARIOS))('evaluates completely (every reference resolves) for: %s', (_name, params) => {
    // Prepare
    const evaluation = new Evaluation(params);

    // Act
    const evaluated = Object.keys(resources).map((id) => evaluation.properties(id));

    // Assess
    expect(evaluated).toHaveLength(Object.keys(resources).length);
    for (const id of Object.keys(conditions)) expect(typeof evaluation.condition(id)).toBe('boolean');
  });

  test('the parameters the scenarios use satisfy the template’s own constraints', () => {
    for (const params of Object.values(SCENARIOS)) {
      for (const [name, value] of Object.entries(params)) {
        const definition = parameters[name] as JsonObject;
        if (typeof definition.AllowedPattern === 'string') expect(value).toMatch(new RegExp(definition.AllowedPattern));
        if (Array.isArray(definition.AllowedValues)) expect(definition.AllowedValues).toContain(value);
      }
    }
  });

  test('SlaveRegion and SlaveTable accept what the function’s configuration accepts, and refuse what it refuses', () => {
    // Prepare
    const region = new RegExp(String((parameters.SlaveRegion as JsonObject).AllowedPattern));
    const table = new RegExp(String((parameters.SlaveTable as JsonObject).AllowedPattern));
    const regions = [
      'us-east-1',
      'eusc-de-east-1',
      'us-isob-east-1',
      'cn-northwest-1',
      'eu_west_1',
      'EU-WEST-1',
      'eu-west-1a',
    ];
    const tables = ['Orders', 'my.table_v-2', 'ab', 'has space', 'x'.repeat(256)];
    const accepts = (env: Record<string, string>): boolean => {
      try {
        loadConfig(env);
        return true;
      } catch {
        return false;
      }
    };

    // Act
    const regionVerdicts = regions.map((name) => [
      region.test(name),
      accepts({ SLAVE_REGION: name, SLAVE_TABLE: 'Orders' }),
    ]);
    const tableVerdicts = tables.map((name) => [
      table.test(name),
      accepts({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: name }),
    ]);

    // Assess
    for (const [template, code] of [...regionVerdicts, ...tableVerdicts]) expect(template).toBe(code);
    expect(regionVerdicts.filter(([ok]) => ok)).toHaveLength(4);
  });
});

describe('the function', () => {
  const evaluation = evaluate('own-account slave, NEW_IMAGE stream (defaults)');
  const fn = evaluation.properties(only('AWS::Lambda::Function'));

  test('runs the handler the zip exports: index.handler ↔ index.js at the zip root exporting handler', () => {
    // Prepare
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const [file, exported] = String(fn.Handler).split('.');

    // Act
    let handler: unknown;
    jest.isolateModules(() => {
      const saved = { ...process.env };
      Object.assign(process.env, environmentOf(evaluation));
      try {
        handler = (require('../../src/lambda/index') as Record<string, unknown>)[exported as string];
      } finally {
        process.env = saved;
      }
    });

    // Assess
    expect(build).toMatch(/entryPoints:\s*\['src\/lambda\/index\.ts'\]/);
    expect(build).toMatch(new RegExp(`const bundle = join\\(dist, '${file}\\.js'\\)`));
    expect(build).toMatch(new RegExp(`'${file}\\.js': \\[readFileSync\\(bundle\\)`));
    expect(typeof handler).toBe('function');
  });

  test('runs on the Node.js version the bundle is built for', () => {
    // Prepare
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const start = build.indexOf("entryPoints: ['src/lambda/index.ts']");
    const lambdaBuild = build.slice(start, build.indexOf('});', start));

    // Act
    const target = /target:\s*'node(\d+)'/.exec(lambdaBuild)?.[1];

    // Assess
    expect(fn.Runtime).toBe(`nodejs${target}.x`);
  });

  test('is given its code from the zip parameters', () => {
    expect(fn.Code).toEqual({ S3Bucket: 'artifacts', S3Key: (parameters.CodeS3Key as JsonObject).Default });
  });
});

describe('the environment', () => {
  test.each(Object.entries(SCENARIOS))(
    'sets only variables the code reads, loading as the intended configuration: %s',
    (_name, params) => {
      // Prepare
      const evaluation = new Evaluation(params);
      const variables = environmentOf(evaluation);
      const read = codeVariables();

      // Act
      const config = loadConfig(variables);

      // Assess
      for (const name of Object.keys(variables)) expect([name, read.has(name)]).toEqual([name, true]);
      const role = params.SlaveRoleArn;
      const externalId = params.SlaveExternalId;
      expect(config.slaves).toEqual([
        {
          region: params.SlaveRegion,
          table: params.SlaveTable,
          ...(role ? { roleArn: role } : {}),
          ...(role && externalId ? { externalId } : {}),
        },
      ]);
      expect(config.replicateTtlDeletes).toBe(params.ReplicateTtlDeletes !== 'false');
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(evaluation.param('MetricsNamespace'));
    },
  );

  test('the code reads every variable the template sets (scan sanity: the scan finds the config variables)', () => {
    // Act
    const read = codeVariables();

    // Assess
    for (const name of [
      'SLAVE_REGION',
      'SLAVE_TABLE',
      'SLAVES',
      'SLAVE_ROLE_ARN',
      'SLAVE_EXTERNAL_ID',
      'REPLICATE_TTL_DELETES',
    ]) {
      expect([name, read.has(name)]).toEqual([name, true]);
    }
  });

  test('the metrics namespace defaults to the code’s default', () => {
    expect((parameters.MetricsNamespace as JsonObject).Default).toBe(DEFAULT_METRICS_NAMESPACE);
  });
});

describe('the role', () => {
  test('grants, over all parameter sets, exactly the calls the code makes plus the trigger’s, the logs’ and the queue’s', () => {
    // Prepare
    const expected = [...codeActions(), ...PLATFORM_ACTIONS].sort();

    // Act
    const granted = new Set<string>();
    for (const params of Object.values(SCENARIOS)) {
      for (const statement of statementsOf(new Evaluation(params)))
        for (const action of list(statement.Action)) granted.add(action);
    }

    // Assess
    expect(codeActions()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'sts:AssumeRole',
    ]);
    expect([...granted].sort()).toEqual(expected);
  });

  test('only allows, never with a wildcard action or resource', () => {
    for (const params of Object.values(SCENARIOS)) {
      for (const statement of statementsOf(new Evaluation(params))) {
        expect(statement.Effect).toBe('Allow');
        for (const action of list(statement.Action)) expect(action).not.toContain('*');
        for (const resource of list(statement.Resource)) expect(resource).not.toBe('*');
      }
    }
  });

  test('own-account slave: the write actions on the slave table only, no STS, no master reads on a NEW_IMAGE stream', () => {
    // Act
    const statements = statementsOf(evaluate('own-account slave, NEW_IMAGE stream (defaults)'));

    // Assess
    expect(actionsOn(statements, SLAVE_TABLE)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    const actions = statements.flatMap((statement) => list(statement.Action));
    expect(actions).not.toContain('sts:AssumeRole');
    expect(actions).not.toContain('dynamodb:BatchGetItem');
    expect(actionsOn(statements, `${MASTER_TABLE}/stream/*`)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actionsOn(statements, '{LogGroup.Arn}')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(actionsOn(statements, '{FailureQueue.Arn}')).toEqual(['sqs:SendMessage']);
  });

  test('cross-account slave: sts:AssumeRole on that role only, and no write actions of its own', () => {
    // Act
    const statements = statementsOf(evaluate('cross-account slave with external id, TTL deletes skipped'));

    // Assess
    expect(actionsOn(statements, SLAVE_ROLE)).toEqual(['sts:AssumeRole']);
    const assume = statements.filter((statement) => list(statement.Action).includes('sts:AssumeRole'));
    expect(assume.flatMap((statement) => list(statement.Resource))).toEqual([SLAVE_ROLE]);
    const actions = statements.flatMap((statement) => list(statement.Action));
    for (const write of ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'])
      expect(actions).not.toContain(write);
  });

  test.each(['KEYS_ONLY stream', 'OLD_IMAGE stream, cross-account slave'])(
    '%s: dynamodb:BatchGetItem on the master table only',
    (name) => {
      // Act
      const statements = statementsOf(evaluate(name));

      // Assess
      expect(actionsOn(statements, MASTER_TABLE)).toEqual(['dynamodb:BatchGetItem']);
      const reads = statements.filter((statement) => list(statement.Action).includes('dynamodb:BatchGetItem'));
      expect(reads.flatMap((statement) => list(statement.Resource))).toEqual([MASTER_TABLE]);
    },
  );
});

describe('the trigger', () => {
  const evaluation = evaluate('own-account slave, NEW_IMAGE stream (defaults)');
  const trigger = evaluation.properties(only('AWS::Lambda::EventSourceMapping'));

  test('reads the master stream into the function, reporting per-record failures and bisecting failed batches', () => {
    expect(trigger).toMatchObject({
      EventSourceArn: MASTER_STREAM,
      FunctionName: `{ref:${only('AWS::Lambda::Function')}}`,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: '{FailureQueue.Arn}' } },
    });
  });

  test('bounds retries and record age (never -1, infinite) and keeps the on-failure queue long enough', () => {
    // Prepare
    const retries = parameters.MaximumRetryAttempts as JsonObject;
    const age = parameters.MaximumRecordAgeInSeconds as JsonObject;

    // Assess
    expect(Number(trigger.MaximumRetryAttempts)).toBe(10);
    expect(Number(trigger.MaximumRecordAgeInSeconds)).toBe(21600);
    expect(retries.MinValue).toBeGreaterThanOrEqual(0);
    expect(age.MinValue).toBeGreaterThanOrEqual(60);
    expect(age.MaxValue).toBeLessThanOrEqual(604800);
    expect(evaluation.properties('FailureQueue').MessageRetentionPeriod).toBe(1209600);
  });
});

describe('the alarms', () => {
  const evaluation = evaluate('cross-account slave with external id, TTL deletes skipped');
  const alarms = Evaluation.ofType('AWS::CloudWatch::Alarm').map((id) => evaluation.properties(id));
  const published = new Set([...allSource.matchAll(/addMetric\('(\w+)'/g)].map((match) => match[1]));
  const fnRef = `{ref:${only('AWS::Lambda::Function')}}`;
  const fnEnv = environmentOf(evaluation);

  test('IteratorAge and Errors of the function', () => {
    for (const metric of ['IteratorAge', 'Errors']) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        }),
      );
    }
  });

  test('RecordsFailed > 0 and ReplicationLatency on the metrics the code publishes, with the dimensions of its EMF lines', () => {
    // Prepare: the SlaveTable value the code uses for this slave.
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    });
    const slaveName = new Slave(client, { region: 'eu-west-1', table: 'OrdersReplica' }, 1).name;
    client.destroy();
    const dimensionKey = /defaultDimensions:\s*{\s*(\w+):/.exec(allSource)?.[1];

    // Act
    const custom = alarms.filter((alarm) => alarm.Namespace === fnEnv.POWERTOOLS_METRICS_NAMESPACE);

    // Assess
    expect(custom.map((alarm) => alarm.MetricName).sort()).toEqual(['RecordsFailed', 'ReplicationLatency']);
    for (const alarm of custom) {
      expect(published.has(String(alarm.MetricName))).toBe(true);
      expect(alarm.Dimensions).toEqual([
        { Name: 'service', Value: fnEnv.POWERTOOLS_SERVICE_NAME },
        { Name: dimensionKey, Value: slaveName },
      ]);
    }
    expect(custom.find((alarm) => alarm.MetricName === 'RecordsFailed')).toMatchObject({
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(fnEnv.POWERTOOLS_SERVICE_NAME).toBe(/SERVICE_NAME = '([^']+)'/.exec(allSource)?.[1]);
  });

  test('every alarm notifies the topic when one is given', () => {
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111122223333:ops']);
  });
});
