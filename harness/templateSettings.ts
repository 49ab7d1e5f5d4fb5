/**
 * What `deploy/template.json` deploys, as settings for the local stand-ins: the trigger's event source mapping
 * (BatchSize, MaximumBatchingWindowInSeconds, ParallelizationFactor, BisectBatchOnFunctionError, MaximumRetryAttempts,
 * MaximumRecordAgeInSeconds, StartingPosition, ReportBatchItemFailures) and the function's timeout, memory and
 * variables, evaluated with the parameters' defaults by the one reader of the template (./templateEvaluation.ts). So
 * `npm start` and `npm run bench:lag` run the function the way a stack made with the defaults runs it, and a change to
 * the template changes them with it.
 */
import { join } from 'node:path';
import { projectRoot } from './bundle';
import type { PollerOptions } from './lambdaPoller';
import { Evaluation, isObject, type Json, loadTemplate, section } from './templateEvaluation';

/** The event source mapping's settings the template gives its trigger. */
export type TemplateMapping = Required<
  Pick<
    PollerOptions,
    | 'batchSize'
    | 'maximumBatchingWindowInSeconds'
    | 'parallelizationFactor'
    | 'bisectBatchOnFunctionError'
    | 'maximumRetryAttempts'
    | 'reportBatchItemFailures'
    | 'startingPosition'
  >
> &
  Pick<PollerOptions, 'maximumRecordAgeInSeconds'>;

/** The template's trigger and function, with the parameters' defaults. */
export interface TemplateSettings {
  readonly mapping: TemplateMapping;
  readonly functionTimeoutMs: number;
  readonly memoryMb: number;
  readonly runtime: string;
  /**
   * The function's variables a stack made with the parameters' defaults has, e.g. REPORT_BATCH_ITEM_FAILURES; those
   * that need a parameter without a default (the slave's name) are left out.
   */
  readonly defaultVariables: Readonly<Record<string, string>>;
}

/** Thrown when the template no longer has what the stand-ins read: the message names the property. */
export class TemplateSettingsError extends Error {
  override readonly name = 'TemplateSettingsError';
}

/** Reads the stand-ins' settings from the template (default: the project's `deploy/template.json`). */
export function templateSettings(path = join(projectRoot(), 'deploy', 'template.json')): TemplateSettings {
  const template = loadTemplate(path);
  const evaluation = new Evaluation({}, template);
  const only = (type: string): Record<string, Json> => {
    const found = Evaluation.ofType(type, template);
    if (found.length !== 1) {
      throw new TemplateSettingsError(`${path} has ${found.length} ${type} resources; the stand-ins read exactly one`);
    }
    const properties = section('Resources', template)[found[0] as string];
    return isObject(properties) && isObject(properties.Properties) ? properties.Properties : {};
  };
  const mapping = only('AWS::Lambda::EventSourceMapping');
  const fn = only('AWS::Lambda::Function');
  /** One property, evaluated with the parameters' defaults; one that needs a parameter without a default is refused. */
  const value = (properties: Record<string, Json>, name: string): unknown => {
    const raw = properties[name];
    if (raw === undefined) return undefined;
    try {
      return evaluation.evaluate(raw);
    } catch (error) {
      throw new TemplateSettingsError(`${path}: ${name}: ${(error as Error).message}; give it a Default`);
    }
  };
  const number = (properties: Record<string, Json>, name: string): number | undefined => {
    const raw = value(properties, name);
    if (raw === undefined) return undefined;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed)) throw new TemplateSettingsError(`${path}: ${name} is not a number: ${String(raw)}`);
    return parsed;
  };
  const recordAge = number(mapping, 'MaximumRecordAgeInSeconds');
  const responseTypes = value(mapping, 'FunctionResponseTypes');
  const startingPosition = String(value(mapping, 'StartingPosition') ?? 'TRIM_HORIZON');
  if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
    throw new TemplateSettingsError(`${path}: StartingPosition ${startingPosition} is not TRIM_HORIZON or LATEST`);
  }
  return {
    mapping: {
      batchSize: number(mapping, 'BatchSize') ?? 100,
      maximumBatchingWindowInSeconds: number(mapping, 'MaximumBatchingWindowInSeconds') ?? 0,
      parallelizationFactor: number(mapping, 'ParallelizationFactor') ?? 1,
      bisectBatchOnFunctionError: String(value(mapping, 'BisectBatchOnFunctionError')) === 'true',
      maximumRetryAttempts: number(mapping, 'MaximumRetryAttempts') ?? -1,
      // -1 is Lambda's "no limit" (the stream's 24 h), as leaving it out is.
      maximumRecordAgeInSeconds: recordAge === -1 ? undefined : recordAge,
      reportBatchItemFailures: Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures'),
      startingPosition,
    },
    functionTimeoutMs: (number(fn, 'Timeout') ?? 3) * 1000,
    memoryMb: number(fn, 'MemorySize') ?? 128,
    runtime: String(value(fn, 'Runtime')),
    defaultVariables: defaultVariables(evaluation, fn.Environment),
  };
}

/** The function's variables that evaluate with the parameters' defaults alone (see TemplateSettings). */
function defaultVariables(evaluation: Evaluation, environment: Json | undefined): Record<string, string> {
  const variables = isObject(environment) && isObject(environment.Variables) ? environment.Variables : {};
  const values: Record<string, string> = {};
  for (const [name, raw] of Object.entries(variables)) {
    try {
      const value = evaluation.evaluate(raw);
      if (typeof value === 'string') values[name] = value;
    } catch {
      // Needs a parameter the stack must be given (no default): not a setting the stand-ins can take.
    }
  }
  return values;
}
