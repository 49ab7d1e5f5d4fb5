/**
 * CDK apps for the construct's tests.
 * - An App without an `outdir` synthesizes into a new `cdk.out*` folder in the system's temporary directory (the
 *   function's zip copied in as an asset) and never removes it; these apps share one folder per test file, removed
 *   after the file's tests.
 * - aws-cdk-lib runs its built-in CloudFormation validation (a WebAssembly engine, seconds of CPU per synthesis) and
 *   only reports warnings from it; the tests skip it. What the synthesized template must meet is checked by the
 *   contract test's CloudFormation spec check (test/contract/cdkTemplate.test.ts), the same as deploy/template.json's.
 * Jest-only (it registers an afterAll hook).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

/** Returns a function making Apps that synthesize into this test file's own folder, removed after its tests. */
export function useCdkApps(): () => App {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  let made = 0;
  return () => {
    made += 1;
    return new App({
      analyticsReporting: false,
      builtinCloudFormationValidation: false,
      outdir: join(outdir, String(made)),
    });
  };
}
