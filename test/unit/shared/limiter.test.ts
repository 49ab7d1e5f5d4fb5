import { forEachLimited, Limiter } from '../../../src/shared/limiter';

/** A task whose completion the test controls, and a record of how many ran at once. */
function gatedTasks(): {
  task: (item: number) => Promise<void>;
  release(): void;
  started: number[];
  maxRunning(): number;
} {
  let running = 0;
  let max = 0;
  const started: number[] = [];
  const gates: (() => void)[] = [];
  return {
    task: async (item) => {
      started.push(item);
      running += 1;
      max = Math.max(max, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    },
    release: () => {
      for (const open of gates.splice(0)) open();
    },
    started,
    maxRunning: () => max,
  };
}

async function flush(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
}

describe('forEachLimited', () => {
  test('runs at most `limit` tasks at once and every item exactly once, in order of start', async () => {
    // Prepare
    const tasks = gatedTasks();
    const items = Array.from({ length: 10 }, (_, index) => index);

    // Act
    const done = forEachLimited(items, 3, tasks.task);
    await flush();
    const startedFirst = [...tasks.started];
    while (tasks.started.length < items.length) {
      tasks.release();
      await flush();
    }
    tasks.release();
    await done;

    // Assess
    expect(startedFirst).toEqual([0, 1, 2]);
    expect(tasks.started).toEqual(items);
    expect(tasks.maxRunning()).toBe(3);
  });

  test('a limit above the number of items starts them all at once', async () => {
    // Prepare
    const tasks = gatedTasks();

    // Act
    const done = forEachLimited([1, 2], 50, tasks.task);
    await flush();
    const startedAtOnce = [...tasks.started];
    tasks.release();
    await done;

    // Assess
    expect(startedAtOnce).toEqual([1, 2]);
  });

  test('no items → resolves without calling the task', async () => {
    // Prepare
    const task = jest.fn(async () => undefined);

    // Act
    await forEachLimited([], 5, task);

    // Assess
    expect(task).not.toHaveBeenCalled();
  });
});

describe('Limiter', () => {
  test('run: at most `limit` at once, waiters served first come first served, each resolving with its task', async () => {
    // Prepare
    const limiter = new Limiter(2);
    const tasks = gatedTasks();

    // Act
    const runs = [1, 2, 3, 4].map((item) =>
      limiter.run(async () => {
        await tasks.task(item);
        return item * 10;
      }),
    );
    await flush();
    const startedFirst = [...tasks.started];
    while (tasks.started.length < 4) {
      tasks.release();
      await flush();
    }
    tasks.release();
    const results = await Promise.all(runs);

    // Assess
    expect(startedFirst).toEqual([1, 2]);
    expect(tasks.started).toEqual([1, 2, 3, 4]);
    expect(tasks.maxRunning()).toBe(2);
    expect(results).toEqual([10, 20, 30, 40]);
  });

  test('a task that rejects gives its place to the next one, and its run rejects', async () => {
    // Prepare
    const limiter = new Limiter(1);

    // Act
    const failing = limiter.run(async () => {
      throw new Error('boom');
    });
    const next = limiter.run(async () => 'next');

    // Assess
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  test('drained: at once when idle, else once every pushed task has finished', async () => {
    // Prepare
    const limiter = new Limiter(1);
    const tasks = gatedTasks();
    await limiter.drained();

    // Act
    limiter.push(() => tasks.task(1));
    limiter.push(() => tasks.task(2));
    let drained = false;
    const done = limiter.drained().then(() => {
      drained = true;
    });
    tasks.release();
    await flush();
    const drainedAfterFirst = drained;
    tasks.release();
    await done;

    // Assess
    expect(drainedAfterFirst).toBe(false);
    expect(tasks.started).toEqual([1, 2]);
  });

  test('a task run ahead takes the next free place before the tasks already waiting, the others keep their order', async () => {
    // Prepare: one place, taken; two tasks waiting
    const limiter = new Limiter(1);
    const tasks = gatedTasks();
    const runs = [limiter.run(() => tasks.task(1)), limiter.run(() => tasks.task(2)), limiter.run(() => tasks.task(3))];

    // Act
    runs.push(limiter.run(() => tasks.task(4), true));
    for (let place = 0; place < 4; place += 1) {
      await flush();
      tasks.release();
    }
    await Promise.all(runs);

    // Assess
    expect(tasks.started).toEqual([1, 4, 2, 3]);
  });

  test('a limit that is not a positive integer is refused', () => {
    // Act and assess
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });
});
