import { ensureRic } from '../harness/lambdaRuntime';
const t = Date.now();
console.log(ensureRic('/tmp/ricroot'), Date.now() - t, 'ms');
