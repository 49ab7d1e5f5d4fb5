/**
 * A CloudFormation template checked against the official resource specification, offline: the npm package
 * `@aws-cdk/aws-service-spec` (the CDK's database of every resource type, property, nested type and attribute,
 * generated from CloudFormation's registry schemas). It finds what only a deployment would otherwise find: an unknown
 * resource type or property, a literal of the wrong kind, a missing required property, a value outside the spec's
 * allowed values, and (with templateReferences.ts) a reference to nothing.
 *
 * The spec leaves some enumerations as plain strings — notably `AWS::Lambda::Function` `Runtime` and an alarm's
 * `Statistic` — so those the template uses are taken from the services' own API models (the enums of
 * `@aws-sdk/client-lambda` and `@aws-sdk/client-cloudwatch`), the lists the services validate against.
 */
import { readFileSync } from 'node:fs';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';
import { ComparisonOperator, StandardUnit, Statistic } from '@aws-sdk/client-cloudwatch';
import { Architecture, EventSourcePosition, FunctionResponseType, Runtime } from '@aws-sdk/client-lambda';
import { intrinsicOf, isObject, type Json, type JsonObject, referenceFindings } from './templateReferences';

/** Values a property takes that the spec leaves open, with where the list comes from (for the finding). */
interface AllowedValues {
  readonly values: readonly string[];
  readonly source: string;
}

/** An enumeration of an AWS API's model (the SDK client's enum object), named for the findings. */
function apiEnum(values: Record<string, string>, name: string, client: string): AllowedValues {
  return { values: Object.values(values), source: `${name} of the API model (${client})` };
}

const LAMBDA = '@aws-sdk/client-lambda';
const CLOUDWATCH = '@aws-sdk/client-cloudwatch';
const EXTRA_ALLOWED: Record<string, AllowedValues> = {
  'AWS::Lambda::Function.Runtime': apiEnum(Runtime, 'Lambda Runtime', LAMBDA),
  'AWS::Lambda::Function.Architectures': apiEnum(Architecture, 'Lambda Architecture', LAMBDA),
  'AWS::Lambda::EventSourceMapping.StartingPosition': apiEnum(
    EventSourcePosition,
    'Lambda EventSourcePosition',
    LAMBDA,
  ),
  'AWS::Lambda::EventSourceMapping.FunctionResponseTypes': apiEnum(
    FunctionResponseType,
    'Lambda FunctionResponseType',
    LAMBDA,
  ),
  'AWS::CloudWatch::Alarm.Statistic': apiEnum(Statistic, 'CloudWatch Statistic', CLOUDWATCH),
  'AWS::CloudWatch::Alarm.ComparisonOperator': apiEnum(ComparisonOperator, 'CloudWatch ComparisonOperator', CLOUDWATCH),
  'AWS::CloudWatch::Alarm.Unit': apiEnum(StandardUnit, 'CloudWatch StandardUnit', CLOUDWATCH),
};

const TEMPLATE_SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'Condition',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);
/** Intrinsic functions that give a list, and those that give a string: neither fits where the other is needed. */
const LIST_FUNCTIONS = new Set(['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr']);
const STRING_FUNCTIONS = new Set(['Fn::Join', 'Fn::Sub', 'Fn::Base64']);
const TAG: ResourceProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

/** The installed spec package's version, for the report and the docs. */
export function specVersion(): string {
  const manifest = require.resolve('@aws-cdk/aws-service-spec/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The spec, loaded once (about half a second), and the checks of a template against it. */
export class SpecCheck {
  private readonly db: SpecDatabase;
  /** The parameters of the template being checked (a `Ref` to one is checked against the property it feeds). */
  private readonly parameters: JsonObject;

  public constructor(db: SpecDatabase = loadAwsServiceSpecSync(), parameters: JsonObject = {}) {
    this.db = db;
    this.parameters = parameters;
  }

  /** The spec's resource type, or undefined when the spec does not know `type`. */
  public resourceType(type: string): Resource | undefined {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  }

  /** Every finding about `template`, one message each: where (section, resource, property path) and what is wrong. */
  public check(template: JsonObject): string[] {
    const parameters = isObject(template.Parameters) ? template.Parameters : {};
    return new SpecCheck(this.db, parameters).findings(template);
  }

  private findings(template: JsonObject): string[] {
    const findings: string[] = [];
    for (const name of Object.keys(template)) {
      if (!TEMPLATE_SECTIONS.has(name))
        findings.push(`${name}: not a template section (${[...TEMPLATE_SECTIONS].join(', ')})`);
    }
    const version = template.AWSTemplateFormatVersion;
    if (version !== undefined && version !== '2010-09-09') {
      findings.push(`AWSTemplateFormatVersion: ${JSON.stringify(version)}; the only version is "2010-09-09"`);
    }
    const resources = template.Resources;
    if (!isObject(resources) || Object.keys(resources).length === 0)
      findings.push('Resources: a template needs at least one resource');
    for (const [id, resource] of Object.entries(isObject(resources) ? resources : {})) {
      findings.push(...this.resourceFindings(id, resource));
    }
    findings.push(...referenceFindings(template, (type) => this.attributesOf(type)));
    return findings;
  }

  private attributesOf(type: string): readonly string[] | undefined {
    const resource = this.resourceType(type);
    return resource === undefined ? undefined : Object.keys(resource.attributes);
  }

  private resourceFindings(id: string, resource: Json): string[] {
    const where = `Resources.${id}`;
    if (!isObject(resource)) return [`${where}: a resource is an object with a Type`];
    const findings = Object.keys(resource)
      .filter((key) => !RESOURCE_KEYS.has(key))
      .map((key) => `${where}.${key}: not a resource attribute (${[...RESOURCE_KEYS].join(', ')})`);
    const type = resource.Type;
    if (typeof type !== 'string') return [...findings, `${where}.Type: missing; every resource needs a Type`];
    if (type.startsWith('Custom::')) return findings;
    const spec = this.resourceType(type);
    if (spec === undefined)
      return [...findings, `${where}.Type: ${type} is not a resource type of the CloudFormation spec`];
    const properties = resource.Properties ?? {};
    if (!isObject(properties)) return [...findings, `${where}.Properties: must be an object of ${type}'s properties`];
    return [...findings, ...this.propertiesFindings(properties, spec.properties, `${where}.Properties`, type, type)];
  }

  /** An object against the properties the spec gives its type: unknown and missing required ones, then each value. */
  private propertiesFindings(
    value: JsonObject,
    properties: ResourceProperties,
    where: string,
    typeName: string,
    resourceType: string | undefined,
  ): string[] {
    const findings: string[] = [];
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value))
        findings.push(`${where}.${name}: required by ${typeName}, and missing`);
    }
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (property === undefined) {
        findings.push(
          `${where}.${name}: ${typeName} has no property ${name} (the spec lists: ${Object.keys(properties).sort().join(', ')})`,
        );
        continue;
      }
      const extra = resourceType === undefined ? undefined : EXTRA_ALLOWED[`${resourceType}.${name}`];
      findings.push(...this.valueFindings(item, property.type, `${where}.${name}`, extra));
    }
    return findings;
  }

  /** One value against one spec type, recursing into lists, maps, nested types and both branches of Fn::If. */
  private valueFindings(value: Json, type: PropertyType, where: string, extra?: AllowedValues): string[] {
    const intrinsic = intrinsicOf(value);
    if (intrinsic !== undefined) return this.intrinsicFindings(intrinsic.fn, intrinsic.args, type, where, extra);
    const wrong = [`${where}: ${JSON.stringify(value)} is not ${this.describe(type)}`];
    switch (type.type) {
      case 'string':
      case 'date-time': {
        if (value === null || typeof value === 'object') return wrong;
        const allowed = this.allowed(type, extra);
        return allowed === undefined || allowed.values.includes(String(value))
          ? []
          : [this.notAllowed(value, allowed, where)];
      }
      case 'integer': {
        const ok = Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
        if (!ok) return wrong;
        const allowed = this.allowed(type, extra);
        return allowed === undefined || allowed.values.includes(String(value))
          ? []
          : [this.notAllowed(value, allowed, where)];
      }
      case 'number':
        return (typeof value === 'number' && Number.isFinite(value)) ||
          (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
          ? []
          : wrong;
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : wrong;
      case 'json':
        return isObject(value) ? [] : wrong;
      case 'null':
        return value === null ? [] : wrong;
      case 'tag':
        return isObject(value) ? this.propertiesFindings(value, TAG, where, 'Tag', undefined) : wrong;
      case 'array':
        return Array.isArray(value)
          ? value.flatMap((item, index) => this.valueFindings(item, type.element, `${where}[${index}]`, extra))
          : wrong;
      case 'map':
        return isObject(value)
          ? Object.entries(value).flatMap(([key, item]) =>
              this.valueFindings(item, type.element, `${where}.${key}`, extra),
            )
          : wrong;
      case 'ref': {
        if (!isObject(value)) return wrong;
        const definition = this.db.get('typeDefinition', type.reference);
        return this.propertiesFindings(value, definition.properties, where, definition.name, undefined);
      }
      case 'union':
        return type.types.some((member) => this.valueFindings(value, member, where, extra).length === 0) ? [] : wrong;
    }
  }

  /**
   * An intrinsic function where a value of `type` belongs: it counts as matching, except a list where a single value
   * belongs (or the reverse), and a Ref to a parameter whose AllowedValues the property does not allow. Fn::If is
   * checked branch by branch (AWS::NoValue drops the property).
   */
  private intrinsicFindings(
    fn: string,
    args: Json,
    type: PropertyType,
    where: string,
    extra?: AllowedValues,
  ): string[] {
    const expectsList = type.type === 'array';
    if (fn === 'Fn::If' && Array.isArray(args)) {
      return [args[1], args[2]].flatMap((branch, index) => {
        const isNoValue = isObject(branch) && branch.Ref === 'AWS::NoValue';
        return branch === undefined || isNoValue
          ? []
          : this.valueFindings(branch, type, `${where}.Fn::If[${index + 1}]`, extra);
      });
    }
    if (LIST_FUNCTIONS.has(fn) && !expectsList && type.type !== 'json') {
      return [`${where}: ${fn} gives a list, and the spec wants ${this.describe(type)}`];
    }
    if (STRING_FUNCTIONS.has(fn) && ['array', 'map', 'ref', 'tag', 'boolean'].includes(type.type)) {
      return [`${where}: ${fn} gives a string, and the spec wants ${this.describe(type)}`];
    }
    if (fn !== 'Ref' || typeof args !== 'string') return [];
    const parameter = this.parameters[args];
    if (!isObject(parameter)) return [];
    const parameterType = String(parameter.Type);
    const givesList = parameterType.startsWith('List<') || parameterType === 'CommaDelimitedList';
    if (givesList !== expectsList && type.type !== 'json') {
      return [`${where}: parameter ${args} (${parameterType}) does not give ${this.describe(type)}`];
    }
    const allowed = this.allowed(type.type === 'array' ? type.element : type, extra);
    const values = parameter.AllowedValues;
    if (allowed === undefined || !Array.isArray(values)) return [];
    const refused = values.map(String).filter((value) => !allowed.values.includes(value));
    return refused.length === 0
      ? []
      : [
          `${where}: parameter ${args} allows ${refused.join(', ')}, which ${allowed.source} does not (${allowed.values.join(', ')})`,
        ];
  }

  private allowed(type: PropertyType, extra?: AllowedValues): AllowedValues | undefined {
    if ((type.type === 'string' || type.type === 'integer') && type.allowedValues !== undefined) {
      return { values: type.allowedValues.map(String), source: 'the spec' };
    }
    return extra;
  }

  private notAllowed(value: Json, allowed: AllowedValues, where: string): string {
    return `${where}: ${JSON.stringify(value)} is not allowed by ${allowed.source}: ${allowed.values.join(', ')}`;
  }

  /** A spec type in words, for findings: "a List of Dimension", "an integer (one of 1, 3, …)". */
  private describe(type: PropertyType): string {
    const noun = this.noun(type);
    return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
  }

  private noun(type: PropertyType): string {
    switch (type.type) {
      case 'array':
        return `List of ${this.noun(type.element)}`;
      case 'map':
        return `Map of ${this.noun(type.element)}`;
      case 'ref':
        return `${this.db.get('typeDefinition', type.reference).name} object`;
      case 'union':
        return type.types.map((member) => this.noun(member)).join(' or ');
      case 'tag':
        return 'Tag ({ Key, Value })';
      case 'json':
        return 'JSON object';
      case 'string':
      case 'integer':
        return type.allowedValues === undefined ? type.type : `${type.type} (one of ${type.allowedValues.join(', ')})`;
      default:
        return type.type;
    }
  }
}
