/** Catching what code under test throws, for assertions on the error itself. */

/** The error `act` throws (fails the test when it throws nothing). */
export function thrownBy(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('expected an error, none was thrown');
}
