/**
 * A CloudFormation template evaluated for a set of parameter values: a small interpreter of the intrinsic functions
 * deploy/template.json uses (Ref, Fn::GetAtt, Fn::If, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, conditions), which
 * refuses anything it does not know — an unknown function, a Ref or GetAtt to nothing, an undefined condition. The
 * one reader of the template: the contract tests check it with it, and the stand-ins (`npm start`, the soak) read
 * the trigger's and the function's settings with it (./templateSettings.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The project's deploy/template.json, parsed. */
export const TEMPLATE = loadTemplate(join(projectRoot(), 'deploy', 'template.json'));
const NO_VALUE = Symbol('AWS::NoValue');
export type Value = Json | typeof NO_VALUE | Value[] | { [key: string]: Value };

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'us-east-1',
  'AWS::StackName': 'orders-replica',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A template file, parsed. */
export function loadTemplate(path: string): JsonObject {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A section of a template (Parameters, Resources, …). */
export function section(name: string, source: JsonObject = TEMPLATE): JsonObject {
  const value = source[name];
  if (!isObject(value)) throw new Error(`template has no ${name} section`);
  return value;
}

/**
 * A template evaluated with a set of parameter values (defaults for the rest): deploy/template.json, or `source`
 * (the construct's synthesized template, test/contract/cdkTemplate.test.ts; a template the stand-ins read). A
 * parameter with neither a value nor a default is an error where it is used.
 */
export class Evaluation {
  private readonly params: Record<string, string | undefined>;
  private readonly resources: JsonObject;
  private readonly conditions: JsonObject;

  public constructor(given: Record<string, string>, source: JsonObject = TEMPLATE) {
    const parameters = isObject(source.Parameters) ? source.Parameters : {};
    this.resources = section('Resources', source);
    this.conditions = isObject(source.Conditions) ? source.Conditions : {};
    this.params = {};
    for (const [name, definition] of Object.entries(parameters)) {
      const value =
        given[name] ??
        (isObject(definition) && definition.Default !== undefined ? String(definition.Default) : undefined);
      this.params[name] = value;
    }
    for (const name of Object.keys(given)) if (!(name in parameters)) throw new Error(`no parameter ${name}`);
  }

  /** The value of a parameter after defaults. */
  public param(name: string): string {
    if (!(name in this.params)) throw new Error(`no parameter ${name}`);
    const value = this.params[name];
    if (value === undefined) throw new Error(`parameter ${name} has no default and no value`);
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

  /** A template fragment (a property's value), evaluated. */
  public evaluate(node: Json): Value {
    return this.value(node);
  }

  /** Logical ids of the resources of `type` in `source` (deploy/template.json by default). */
  public static ofType(type: string, source: JsonObject = TEMPLATE): string[] {
    return Object.entries(section('Resources', source))
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
