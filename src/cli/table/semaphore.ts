/**
 * Kept only so src/cli/backfill/backfill.ts, being split elsewhere, still finds `Semaphore` here: the tools' limiter
 * is the shared `Limiter` (src/shared/limiter.ts). Remove once the split has landed.
 */
export { Limiter as Semaphore } from '../../shared/limiter';
