import type { Scheduler } from '../../../src/store/repository';

/** A timer the test fires by hand. */
export class ManualScheduler implements Scheduler {
  private readonly tasks = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;

  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.tasks.set(id, { fn, ms });
    return id;
  }

  clear(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  /** Timers armed and not yet fired or cleared. */
  get armed(): number {
    return this.tasks.size;
  }

  get delays(): number[] {
    return [...this.tasks.values()].map((t) => t.ms);
  }

  /** Fires every armed timer once. */
  fire(): void {
    const due = [...this.tasks.values()];
    this.tasks.clear();
    for (const t of due) t.fn();
  }
}
