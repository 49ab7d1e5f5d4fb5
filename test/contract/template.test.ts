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
import { loadConfig } from '../../src/function/config';
import { DEFAULT_METRICS_NAMESPACE } from '../../src/function/metrics';
import {
  codeVariables,
  conditions,
  Evaluation,
  environmentOf,
  evaluate,
  type JsonObject,
  only,
  parameters,
  ROOT,
  resources,
  SCENARIOS,
} from './templateEvaluation';

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
        handler = (require('../../src/zip/index') as Record<string, unknown>)[exported as string];
      } finally {
        process.env = saved;
      }
    });

    // Assess
    expect(build).toMatch(/entryPoints:\s*\['src\/zip\/index\.ts'\]/);
    expect(build).toMatch(new RegExp(`const bundle = join\\(dist, '${file}\\.js'\\)`));
    expect(build).toMatch(new RegExp(`'${file}\\.js': \\[readFileSync\\(bundle\\)`));
    expect(typeof handler).toBe('function');
  });

  test('runs on the Node.js version the bundle is built for', () => {
    // Prepare
    const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
    const start = build.indexOf("entryPoints: ['src/zip/index.ts']");
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
      const arn = params.SlaveTableArn;
      expect(config.slaves).toEqual([
        {
          region: arn ? arn.split(':')[3] : params.SlaveRegion,
          table: arn ?? params.SlaveTable,
          ...(role ? { roleArn: role } : {}),
          ...(role && externalId ? { externalId } : {}),
        },
      ]);
      expect(config.replicateTtlDeletes).toBe(params.ReplicateTtlDeletes !== 'false');
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(evaluation.param('MetricsNamespace'));
    },
  );

  test.each(Object.entries(SCENARIOS))(
    'declares partial batch responses to the function exactly when the trigger honours them: %s',
    (_name, params) => {
      // Prepare: a function told it may answer with batchItemFailures must have a trigger that reads them, or Lambda
      // takes a partial answer as success and the failed records are lost; one that is not told fails whole batches.
      const evaluation = new Evaluation(params);

      // Act
      const told = loadConfig(environmentOf(evaluation)).reportBatchItemFailures;
      const responseTypes = evaluation.properties(only('AWS::Lambda::EventSourceMapping')).FunctionResponseTypes;

      // Assess
      expect({
        told,
        honoured: Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures'),
      }).toEqual({
        told: true,
        honoured: true,
      });
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
      'REPORT_BATCH_ITEM_FAILURES',
    ]) {
      expect([name, read.has(name)]).toEqual([name, true]);
    }
  });

  test('the metrics namespace defaults to the code’s default', () => {
    expect((parameters.MetricsNamespace as JsonObject).Default).toBe(DEFAULT_METRICS_NAMESPACE);
  });
});
