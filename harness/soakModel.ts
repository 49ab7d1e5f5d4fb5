/**
 * The soak's independent model of the master, and the verdict it gives on a slave. The soak's writer records every
 * change DynamoDB acknowledged, in acknowledgement order (one request at a time, so that is the order the master
 * applied them); from those records alone the model knows every state each item went through and its final one. The
 * slave is then judged item by item against the model, never against what the function answered the event source
 * mapping: a function that drops or reorders changes and answers success is caught all the same.
 *
 * What a slave item can be, against its item's states in the model (the first state of every item is "absent"):
 * - the final state: correct;
 * - an earlier state while the master still has the item: a stale item; the changes after that state are lost;
 * - present while the master no longer has it (a lost delete): an extra item; the changes after the state it holds
 *   are lost;
 * - a state the item never had on the master: a wrong item (one lost change: its last).
 * The model is checked against the master too, so that a mistake in the soak's own records cannot pass as a verdict.
 */
import { canonicalItemText, type Item } from './tables';

/** One round's comparison of a slave with the model, before any repair. */
export interface RoundVerdict {
  /** Items of the model's final state (the master's items). */
  readonly masterItems: number;
  /** Changes whose effect is missing from the slave (their numbers, in acknowledgement order from 0). */
  readonly lostChanges: readonly number[];
  /** Keys of slave items (or missing items) holding an older state than the model's final one. */
  readonly staleItems: readonly string[];
  /** Keys of slave items whose item the master does not have. */
  readonly extraItems: readonly string[];
  /** Keys of slave items in a state their item never had on the master. */
  readonly wrongItems: readonly string[];
  /** Keys on which the master itself disagrees with the model (must be none: else the soak's records are wrong). */
  readonly modelErrors: readonly string[];
  /** The slave holds exactly the model's final state. */
  readonly equal: boolean;
}

/** Every state of one item, in order, and the number of the change that made each (none for the first, absent). */
interface History {
  readonly states: Array<string | undefined>;
  readonly changes: number[];
}

/** The committed changes of one soak run, in acknowledgement order. */
export class MasterModel {
  private readonly histories = new Map<string, History>();
  private committed = 0;

  /** @param keyNames the table's key attributes, which name an item */
  constructor(private readonly keyNames: readonly string[]) {}

  /** Changes recorded so far. */
  get changes(): number {
    return this.committed;
  }

  /** Records one acknowledged change: the item's key and its state after it (`undefined`: deleted). */
  record(key: Item, state: Item | undefined): void {
    const name = this.keyText(key);
    let history = this.histories.get(name);
    if (!history) {
      history = { states: [undefined], changes: [] };
      this.histories.set(name, history);
    }
    history.states.push(state === undefined ? undefined : canonicalItemText(state));
    history.changes.push(this.committed);
    this.committed += 1;
  }

  /** Judges a slave's items (all of them, read after the mapping drained) and checks the master's against the model. */
  judge(slaveItems: readonly Item[], masterItems: readonly Item[]): RoundVerdict {
    const slave = this.byKey(slaveItems);
    const master = this.byKey(masterItems);
    const lost: number[] = [];
    const stale: string[] = [];
    const extra: string[] = [];
    const wrong: string[] = [];
    const modelErrors: string[] = [];
    let masterCount = 0;
    for (const [name, { states, changes }] of this.histories) {
      const final = states[states.length - 1];
      if (final !== undefined) masterCount += 1;
      if (master.get(name) !== final) modelErrors.push(name);
      const held = slave.get(name);
      slave.delete(name);
      if (held === final) continue;
      const at = states.lastIndexOf(held);
      if (at === -1) {
        wrong.push(name);
        lost.push(changes[changes.length - 1]);
        continue;
      }
      // State `at` was made by change `at - 1` of this item; every change after it is missing.
      lost.push(...changes.slice(at));
      (final === undefined ? extra : stale).push(name);
    }
    // Slave items the master never had (no change was ever made to them).
    extra.push(...slave.keys());
    for (const name of master.keys()) if (!this.histories.has(name)) modelErrors.push(name);
    return {
      masterItems: masterCount,
      lostChanges: lost,
      staleItems: stale,
      extraItems: extra,
      wrongItems: wrong,
      modelErrors,
      equal: lost.length === 0 && extra.length === 0 && wrong.length === 0,
    };
  }

  private keyText(item: Item): string {
    return canonicalItemText(Object.fromEntries(this.keyNames.map((name) => [name, item[name]])));
  }

  private byKey(items: readonly Item[]): Map<string, string> {
    return new Map(items.map((item) => [this.keyText(item), canonicalItemText(item)]));
  }
}
