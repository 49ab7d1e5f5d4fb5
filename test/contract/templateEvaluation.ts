/**
 * deploy/template.json evaluated for the contract tests (template.test.ts, templateRole.test.ts): a small interpreter
 * of the intrinsic functions the template uses, which refuses anything it does not know (an unknown function, a Ref
 * or GetAtt to nothing, an undefined condition); the parameter sets it is checked with; and what the code does, read
 * from the sources the Lambda bundle is built from (the SDK calls it makes, the variables it reads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../harness/bundle';
import { handlerSources } from '../../harness/bundleSources';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const ROOT = projectRoot();
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

function section(name: string, source: JsonObject = template): JsonObject {
  const value = source[name];
  if (!isObject(value)) throw new Error(`template has no ${name} section`);
  return value;
}

export const parameters = section('Parameters');
export const resources = section('Resources');
export const conditions = section('Conditions');

/**
 * A template evaluated with a set of parameter values (defaults for the rest): deploy/template.json, or `source`
 * (the construct's synthesized template, test/contract/cdkTemplate.test.ts).
 */
export class Evaluation {
  private readonly params: Record<string, string>;
  private readonly resources: JsonObject;
  private readonly conditions: JsonObject;

  public constructor(given: Record<string, string>, source: JsonObject = template) {
    const parameters = isObject(source.Parameters) ? source.Parameters : {};
    this.resources = section('Resources', source);
    this.conditions = isObject(source.Conditions) ? source.Conditions : {};
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
    const definition = this.conditions[name];
    if (definition === undefined) throw new Error(`no condition ${name}`);
    return this.test(definition);
  }

  /** A resource's properties, evaluated (each to be checked by the caller). */
  public properties(logicalId: string): Record<string, unknown> {
    const resource = this.resources[logicalId];
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
    if (name in this.resources) return `{ref:${name}}`;
    throw new Error(`Ref to nothing: ${name}`);
  }

  private getAtt(target: string): string {
    const [id = '', attribute] = target.split('.');
    if (!(id in this.resources) || !attribute) throw new Error(`GetAtt to nothing: ${target}`);
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

export const MASTER_STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-05-01T12:00:00.000';
export const MASTER_TABLE = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';
export const SLAVE_TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/OrdersReplica';
export const SLAVE_ROLE = 'arn:aws:iam::210987654321:role/replica-writer';
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

/** The IAM actions of the SDK commands the bundle sends: `new XCommand(` of @aws-sdk/client-dynamodb → dynamodb:X. */
export function codeActions(): string[] {
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
