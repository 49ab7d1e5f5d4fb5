/**
 * `templateSettings`, what `npm start` reads from deploy/template.json so the demo's event source mapping and
 * function run with a deployed stack's settings: each `Ref` resolved to its parameter's default, literals kept, the
 * response types read, Lambda's -1 record age meaning no limit; a template the reader cannot follow is refused with
 * a message naming what to fix. Small templates in a temporary folder, and the project's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateSettingsError, templateSettings } from '../../harness/templateSettings';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'template-settings-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A template with one function and one trigger, with these properties on the trigger and these parameters. */
function writeTemplate(name: string, trigger: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  const path = join(folder, `${name}.json`);
  const template = {
    Parameters: { Timeout: { Default: 30 }, ...parameters },
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs24.x',
          Timeout: { Ref: 'Timeout' },
          MemorySize: 512,
          Environment: { Variables: { FIXED: 'yes', FROM_PARAMETER: { Ref: 'Timeout' } } },
        },
      },
      Trigger: { Type: 'AWS::Lambda::EventSourceMapping', Properties: trigger },
    },
  };
  writeFileSync(path, JSON.stringify(template));
  return path;
}

test('Refs take their parameter defaults and literals stay; -1 record age is no limit; ReportBatchItemFailures and fixed variables read', () => {
  // Prepare
  const path = writeTemplate(
    'refs',
    {
      BatchSize: { Ref: 'Batch' },
      MaximumBatchingWindowInSeconds: 3,
      ParallelizationFactor: 7,
      BisectBatchOnFunctionError: 'true',
      MaximumRetryAttempts: { Ref: 'Retries' },
      MaximumRecordAgeInSeconds: -1,
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    },
    { Batch: { Type: 'Number', Default: 250 }, Retries: { Type: 'Number', Default: '4' } },
  );

  // Act
  const settings = templateSettings(path);

  // Assess
  expect(settings).toEqual({
    mapping: {
      batchSize: 250,
      maximumBatchingWindowInSeconds: 3,
      parallelizationFactor: 7,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 4,
      maximumRecordAgeInSeconds: undefined,
      reportBatchItemFailures: true,
      startingPosition: 'LATEST',
    },
    functionTimeoutMs: 30_000,
    memoryMb: 512,
    runtime: 'nodejs24.x',
    defaultVariables: { FIXED: 'yes', FROM_PARAMETER: '30' },
  });
});

test("properties left out take Lambda's defaults: batch 100, no window, factor 1, no bisect, retries until expiry, no response types", () => {
  // Prepare
  const path = writeTemplate('bare', { StartingPosition: 'TRIM_HORIZON', MaximumRecordAgeInSeconds: 3600 });

  // Act
  const { mapping } = templateSettings(path);

  // Assess
  expect(mapping).toEqual({
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    parallelizationFactor: 1,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: 3600,
    reportBatchItemFailures: false,
    startingPosition: 'TRIM_HORIZON',
  });
});

test('a Ref to a parameter without a default is refused, naming the property', () => {
  // Prepare
  const path = writeTemplate('no-default', { BatchSize: { Ref: 'Batch' } }, { Batch: { Type: 'Number' } });

  // Act
  const read = () => templateSettings(path);

  // Assess
  expect(read).toThrow(TemplateSettingsError);
  expect(read).toThrow('BatchSize: parameter Batch has no default and no value; give it a Default');
});

test("the project's template reads: the trigger reports batch item failures (and tells the function) and bisects, within Lambda's ranges", () => {
  // Act
  const { mapping, functionTimeoutMs, defaultVariables } = templateSettings();

  // Assess
  expect(mapping.reportBatchItemFailures).toBe(true);
  expect(defaultVariables.REPORT_BATCH_ITEM_FAILURES).toBe('true');
  expect(mapping.bisectBatchOnFunctionError).toBe(true);
  expect(mapping.parallelizationFactor).toBeGreaterThanOrEqual(1);
  expect(mapping.parallelizationFactor).toBeLessThanOrEqual(10);
  expect(mapping.batchSize).toBeGreaterThanOrEqual(1);
  expect(functionTimeoutMs).toBeGreaterThan(0);
});
