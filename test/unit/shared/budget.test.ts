import { type Budget, isSpent, reserveFor, sleepWithin, startBudget } from '../../../src/shared/budget';

/** Whether `promise` has settled, checked after pending microtasks ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
  return settled;
}

describe('reserveFor', () => {
  test.each([
    [900_000, 3000],
    [30_000, 3000],
    [10_000, 1000],
    [3000, 300],
    [1000, 300],
    [0, 300],
  ])('%d ms remaining → %d ms kept back (a tenth, between 300 ms and 3 s)', (remaining, reserve) => {
    // Act
    const kept = reserveFor(remaining);

    // Assess
    expect(kept).toBe(reserve);
  });
});

describe('startBudget', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('the cutoff is the remaining time minus the reserve, by the clock given', () => {
    // Prepare
    let now = 5_000;
    const budget = startBudget(60_000, () => now);
    budget.dispose();

    // Act
    const atStart = budget.remainingMs();
    now += 56_999;
    const justBefore = isSpent(budget);
    now += 1;
    const atCutoff = isSpent(budget);

    // Assess
    expect(atStart).toBe(57_000);
    expect(justBefore).toBe(false);
    expect(atCutoff).toBe(true);
  });

  test('less time left than the reserve → spent at once', () => {
    // Act
    const budget = startBudget(100, () => 1_000);
    budget.dispose();

    // Assess
    expect(budget.remainingMs()).toBe(0);
    expect(isSpent(budget)).toBe(true);
  });

  test('spent by the clock even when the timer has not fired (a starved process)', () => {
    // Prepare: the abort timer is far off, the clock jumps past the cutoff as after a stop
    let now = 0;
    const budget = startBudget(10_000, () => now);

    // Act
    now = 20_000;
    const spent = isSpent(budget);
    budget.dispose();

    // Assess
    expect(budget.signal.aborted).toBe(false);
    expect(spent).toBe(true);
  });

  test('the signal aborts when the usable time has passed, not before', () => {
    // Prepare
    jest.useFakeTimers();
    const budget = startBudget(10_000); // 9,000 ms usable

    // Act
    jest.advanceTimersByTime(8_999);
    const abortedBefore = budget.signal.aborted;
    jest.advanceTimersByTime(1);
    const abortedAfter = budget.signal.aborted;

    // Assess
    expect(abortedBefore).toBe(false);
    expect(abortedAfter).toBe(true);
    expect(String((budget.signal.reason as Error).message)).toContain('time budget');
  });

  test('dispose stops the timer: the signal never aborts', () => {
    // Prepare
    jest.useFakeTimers();
    const budget = startBudget(10_000);

    // Act
    budget.dispose();
    jest.advanceTimersByTime(60_000);

    // Assess
    expect(budget.signal.aborted).toBe(false);
  });
});

describe('sleepWithin', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function budgetUntil(deadline: number): Budget & { controller: AbortController } {
    const controller = new AbortController();
    return { remainingMs: () => deadline - Date.now(), signal: controller.signal, controller };
  }

  test('resolves after the given time', async () => {
    // Prepare
    jest.useFakeTimers({ now: 0 });
    const budget = budgetUntil(10_000);

    // Act
    const sleeping = sleepWithin(500, budget);
    jest.advanceTimersByTime(499);
    const early = await isSettled(sleeping);
    jest.advanceTimersByTime(1);
    const late = await isSettled(sleeping);

    // Assess
    expect(early).toBe(false);
    expect(late).toBe(true);
  });

  test('never sleeps past the deadline', async () => {
    // Prepare
    jest.useFakeTimers({ now: 0 });
    const budget = budgetUntil(200);

    // Act
    const sleeping = sleepWithin(5_000, budget);
    jest.advanceTimersByTime(200);
    const settled = await isSettled(sleeping);

    // Assess
    expect(settled).toBe(true);
  });

  test('wakes at once when the budget is aborted', async () => {
    // Prepare
    jest.useFakeTimers({ now: 0 });
    const budget = budgetUntil(60_000);
    const sleeping = sleepWithin(30_000, budget);

    // Act
    budget.controller.abort();
    const settled = await isSettled(sleeping);

    // Assess
    expect(settled).toBe(true);
  });

  test('an already aborted budget does not sleep', async () => {
    // Prepare
    jest.useFakeTimers({ now: 0 });
    const budget = budgetUntil(60_000);
    budget.controller.abort();

    // Act
    const settled = await isSettled(sleepWithin(30_000, budget));

    // Assess
    expect(settled).toBe(true);
  });
});
