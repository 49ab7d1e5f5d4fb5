/**
 * What `deploy/template.json` deploys, as settings for the local stand-ins: the trigger's event source mapping
 * (BatchSize, ParallelizationFactor, BisectBatchOnFunctionError, MaximumRetryAttempts, MaximumRecordAgeInSeconds,
 * StartingPosition, ReportBatchItemFailures) and the function's timeout, memory and fixed variables, each `Ref`
 * resolved to its parameter's default. So `npm start` runs the function the way a stack made with the defaults runs it, and a change
 * to the template changes the demo with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';
import type { PollerOptions } from './lambdaPoller';

/** The event source mapping's settings the template gives its trigger. */
export type TemplateMapping = Required<
  Pick<
    PollerOptions,
    | 'batchSize'
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
  /** The function's variables whose values are fixed strings (not parameters), e.g. REPORT_BATCH_ITEM_FAILURES. */
  readonly fixedVariables: Readonly<Record<string, string>>;
}

interface Template {
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** Thrown when the template no longer has what the stand-ins read: the message names the property. */
export class TemplateSettingsError extends Error {
  override readonly name = 'TemplateSettingsError';
}

/** Reads the stand-ins' settings from the template (default: the project's `deploy/template.json`). */
export function templateSettings(path = join(projectRoot(), 'deploy', 'template.json')): TemplateSettings {
  const template = JSON.parse(readFileSync(path, 'utf8')) as Template;
  const only = (type: string): Record<string, unknown> => {
    const found = Object.values(template.Resources).filter((resource) => resource.Type === type);
    if (found.length !== 1) {
      throw new TemplateSettingsError(`${path} has ${found.length} ${type} resources; the stand-ins read exactly one`);
    }
    return found[0].Properties ?? {};
  };
  const mapping = only('AWS::Lambda::EventSourceMapping');
  const fn = only('AWS::Lambda::Function');
  const value = (properties: Record<string, unknown>, name: string): unknown => {
    const raw = properties[name];
    if (typeof raw === 'object' && raw !== null && 'Ref' in raw) {
      const parameter = template.Parameters?.[String((raw as { Ref: unknown }).Ref)];
      if (parameter?.Default === undefined) {
        throw new TemplateSettingsError(`${path}: ${name} refers to a parameter without a Default; give it one`);
      }
      return parameter.Default;
    }
    return raw;
  };
  const number = (properties: Record<string, unknown>, name: string): number | undefined => {
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
    fixedVariables: Object.fromEntries(
      Object.entries((fn.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
  };
}
