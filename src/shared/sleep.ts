/**
 * The one abortable sleep of the package. Both sides wait between retries and must stop waiting at once when the
 * wait no longer makes sense: the Lambda when its invocation's time budget ends, the CLI on Ctrl-C (and its rate
 * pacers and stream watcher when a run stops).
 */

/**
 * Resolves after `ms`, or as soon as `signal` aborts, whichever is first. It never rejects: callers check
 * `signal.aborted` afterwards and decide what an early wake-up means for them.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
