// `npm test`'s last step: the type check and Jest side by side, so that tsc's single thread runs while Jest's global
// setup starts DynamoDB Local and its workers wait on containers and timers, instead of before them. tsc's findings
// are printed after Jest's output; the step fails if either fails. Arguments go to Jest (`npm test -- --maxWorkers=2`).

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Resolves with the exit code of `child` (1 when a signal ended it). */
const exitOf = (child) => new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));

const started = Date.now();
const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let findings = '';
tsc.stdout.on('data', (chunk) => {
  findings += chunk;
});
tsc.stderr.on('data', (chunk) => {
  findings += chunk;
});
const typecheck = exitOf(tsc).then((code) => ({ code, seconds: Math.round((Date.now() - started) / 1000) }));
const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});

const [checked, tested] = await Promise.all([typecheck, exitOf(jest)]);
if (checked.code === 0) {
  console.log(`\ntypecheck (tsc -p tsconfig.json): no errors, ${checked.seconds} s`);
} else {
  console.error(`\ntypecheck (tsc -p tsconfig.json) failed:\n${findings}`);
}
process.exit(tested !== 0 ? tested : checked.code);
