/**
 * The reference half of the CloudFormation specification check (templateSpec.ts holds the property half): every
 * `Ref`, `Fn::GetAtt`, `Fn::Sub` name, `Fn::If` / `Condition` name, `DependsOn` and `Fn::FindInMap` map in a template
 * must resolve, and the parameters' own defaults must satisfy their constraints — the mistakes CloudFormation only
 * reports when a stack is created. Kept apart from the spec's types so each file reads on its own; the attributes a
 * `Fn::GetAtt` may name come from the spec through `attributesOf`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The pseudo parameters CloudFormation defines: `Ref` and `${…}` may name them like parameters. */
export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Intrinsic functions whose arguments are walked for references but not otherwise checked here. */
const PASS_THROUGH = new Set([
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::Length',
  'Fn::ToJsonString',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
]);

const PARAMETER_TYPES = /^(String|Number|List<Number>|CommaDelimitedList|(List<)?AWS::[A-Za-z0-9:<>]+>?)$/;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one intrinsic function a node is (`{ "Ref": … }`, `{ "Fn::…": … }`), or undefined for plain values. */
export function intrinsicOf(node: Json): { fn: string; args: Json } | undefined {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  const fn = keys[0];
  if (keys.length !== 1 || fn === undefined || !(fn === 'Ref' || fn.startsWith('Fn::'))) return undefined;
  return { fn, args: node[fn] ?? null };
}

function section(template: JsonObject, name: string): JsonObject {
  const value = template[name];
  return isObject(value) ? value : {};
}

/** The `${…}` names of an `Fn::Sub` format, without the literal `${!…}` escapes. */
export function subNames(format: string): string[] {
  return [...format.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1] ?? '').filter((name) => !name.startsWith('!'));
}

/**
 * Every reference of `template` that resolves to nothing, one message per finding naming where it is and what is
 * missing. `attributesOf(type)` gives the attributes the spec lists for a resource type (undefined: not in the spec,
 * e.g. `Custom::…`, whose attributes cannot be known).
 */
export function referenceFindings(
  template: JsonObject,
  attributesOf: (type: string) => readonly string[] | undefined,
): string[] {
  const parameters = section(template, 'Parameters');
  const resources = section(template, 'Resources');
  const conditions = section(template, 'Conditions');
  const mappings = section(template, 'Mappings');
  const findings: string[] = [];
  const typeOf = (id: string): string | undefined => {
    const resource = resources[id];
    return isObject(resource) && typeof resource.Type === 'string' ? resource.Type : undefined;
  };

  const checkRef = (name: string, where: string, resourcesAllowed: boolean): void => {
    if (name in parameters || PSEUDO_PARAMETERS.has(name)) return;
    if (name in resources) {
      if (!resourcesAllowed)
        findings.push(`${where}: Ref ${name} names a resource, and Conditions may name only parameters`);
      return;
    }
    findings.push(`${where}: Ref ${name} names no parameter, resource or pseudo parameter`);
  };

  const checkGetAtt = (id: string, attribute: string, where: string): void => {
    const type = typeOf(id);
    if (type === undefined) {
      findings.push(`${where}: Fn::GetAtt ${id}.${attribute} names no resource (${id} is not in Resources)`);
      return;
    }
    const known = attributesOf(type);
    if (known !== undefined && !known.includes(attribute)) {
      const list = known.length > 0 ? known.join(', ') : 'none';
      findings.push(
        `${where}: Fn::GetAtt ${id}.${attribute}: ${type} has no attribute ${attribute} (the spec lists: ${list})`,
      );
    }
  };

  const checkCondition = (name: Json, where: string): void => {
    if (typeof name !== 'string')
      findings.push(`${where}: a condition name must be a string, not ${JSON.stringify(name)}`);
    else if (!(name in conditions)) findings.push(`${where}: condition ${name} is not defined in Conditions`);
  };

  const walk = (node: Json, where: string, inConditions: boolean): void => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) walk(item, `${where}[${index}]`, inConditions);
      return;
    }
    if (!isObject(node)) return;
    if (inConditions && Object.keys(node).length === 1 && 'Condition' in node) {
      checkCondition(node.Condition ?? null, where);
      return;
    }
    const intrinsic = intrinsicOf(node);
    if (intrinsic === undefined) {
      for (const [key, value] of Object.entries(node)) walk(value, `${where}.${key}`, inConditions);
      return;
    }
    const { fn, args } = intrinsic;
    const here = `${where}.${fn}`;
    if (fn === 'Ref') {
      if (typeof args === 'string') checkRef(args, where, !inConditions);
      else findings.push(`${where}: Ref takes a name, not ${JSON.stringify(args)}`);
    } else if (fn === 'Fn::GetAtt') {
      const [id, ...rest] = Array.isArray(args) ? args : typeof args === 'string' ? args.split('.') : [];
      if (typeof id !== 'string' || rest.length === 0 || !rest.every((part) => typeof part === 'string')) {
        findings.push(
          `${where}: Fn::GetAtt takes [resource, attribute] or "resource.attribute", not ${JSON.stringify(args)}`,
        );
      } else checkGetAtt(id, rest.join('.'), where);
    } else if (fn === 'Fn::Sub') {
      const [format, variables = {}] = Array.isArray(args) ? args : [args];
      if (typeof format !== 'string' || !isObject(variables)) {
        findings.push(`${where}: Fn::Sub takes a string or [string, { variables }], not ${JSON.stringify(args)}`);
        return;
      }
      for (const [name, value] of Object.entries(variables)) walk(value, `${here}.${name}`, inConditions);
      for (const name of subNames(format)) {
        if (name in variables) continue;
        const dot = name.indexOf('.');
        if (dot > 0 && !name.startsWith('AWS::')) checkGetAtt(name.slice(0, dot), name.slice(dot + 1), here);
        else checkRef(name, here, !inConditions);
      }
    } else if (fn === 'Fn::If') {
      if (!Array.isArray(args) || args.length !== 3) {
        findings.push(`${where}: Fn::If takes [condition, value if true, value if false]`);
        return;
      }
      checkCondition(args[0] ?? null, here);
      walk(args[1] ?? null, `${here}[1]`, inConditions);
      walk(args[2] ?? null, `${here}[2]`, inConditions);
    } else if (fn === 'Fn::FindInMap') {
      const map = Array.isArray(args) ? args[0] : undefined;
      if (typeof map === 'string' && !(map in mappings))
        findings.push(`${where}: Fn::FindInMap ${map}: no such mapping`);
      walk(args, here, inConditions);
    } else if (PASS_THROUGH.has(fn)) {
      walk(args, here, inConditions);
    } else {
      findings.push(`${where}: ${fn} is not a CloudFormation intrinsic function`);
    }
  };

  for (const [name, definition] of Object.entries(conditions)) walk(definition, `Conditions.${name}`, true);
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const where = `Resources.${id}`;
    if (resource.Condition !== undefined) checkCondition(resource.Condition, `${where}.Condition`);
    const dependsOn = resource.DependsOn;
    for (const target of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn]) {
      if (typeof target !== 'string' || !(target in resources)) {
        findings.push(`${where}.DependsOn: ${JSON.stringify(target)} is not a resource of this template`);
      }
    }
    walk(resource.Properties ?? null, `${where}.Properties`, false);
  }
  for (const [name, output] of Object.entries(section(template, 'Outputs'))) {
    if (!isObject(output)) continue;
    if (output.Condition !== undefined) checkCondition(output.Condition, `Outputs.${name}.Condition`);
    if (output.Value === undefined) findings.push(`Outputs.${name}: an output needs a Value`);
    walk(output.Value ?? null, `Outputs.${name}.Value`, false);
    walk(output.Export ?? null, `Outputs.${name}.Export`, false);
  }
  findings.push(...parameterFindings(parameters));
  return findings;
}

/** A parameter's type is one CloudFormation knows, and its Default passes its own constraints. */
function parameterFindings(parameters: JsonObject): string[] {
  const findings: string[] = [];
  for (const [name, definition] of Object.entries(parameters)) {
    const where = `Parameters.${name}`;
    if (!isObject(definition)) {
      findings.push(`${where}: a parameter is an object with a Type`);
      continue;
    }
    const type = definition.Type;
    if (typeof type !== 'string' || !PARAMETER_TYPES.test(type)) {
      findings.push(
        `${where}.Type: ${JSON.stringify(type)} is not a parameter type (String, Number, List<Number>, CommaDelimitedList, AWS::…)`,
      );
    }
    const value = definition.Default;
    if (value === undefined) continue;
    const text = String(value);
    const allowed = definition.AllowedValues;
    if (Array.isArray(allowed) && !allowed.map(String).includes(text)) {
      findings.push(
        `${where}.Default: ${JSON.stringify(value)} is not one of its AllowedValues ${JSON.stringify(allowed)}`,
      );
    }
    const pattern = definition.AllowedPattern;
    if (typeof pattern === 'string' && !new RegExp(`^(?:${pattern})$`).test(text)) {
      findings.push(`${where}.Default: ${JSON.stringify(value)} does not match its AllowedPattern ${pattern}`);
    }
    if (type === 'Number') {
      const number = Number(text);
      const { MinValue: min, MaxValue: max } = definition;
      if (text.trim() === '' || !Number.isFinite(number))
        findings.push(`${where}.Default: ${JSON.stringify(value)} is not a number`);
      else if ((min !== undefined && number < Number(min)) || (max !== undefined && number > Number(max))) {
        findings.push(`${where}.Default: ${text} is outside MinValue ${String(min)} .. MaxValue ${String(max)}`);
      }
    }
  }
  return findings;
}
