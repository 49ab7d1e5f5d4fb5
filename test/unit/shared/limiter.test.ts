import { forEachLimited } from '../../../src/shared/limiter';

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
