/** One tenant's writes in flight, and its closing (a deletion) when one runs. */
interface Gate {
  writers: number;
  /** Resolves when the closing ends; null while no closing runs. */
  closing: Promise<void> | null;
  /** Called when the last writer leaves while a closing waits for them. */
  drained: (() => void) | null;
}

/**
 * Orders a tenant's writes against its deletion within the process (every service of the embedded all-in-one shares
 * one): a write enters the tenant's gate (at once unless a deletion runs) and leaves once answered; a deletion closes
 * the gate, waits until the writes inside have left (at most `maxWaitMs`: a connection test may run for seconds), runs,
 * and opens it once answered. A write that came meanwhile enters after it, and then finds the tenant deleted, so no
 * write is stored after the deletion it raced (the closure would undo it, but its 201 or its events said otherwise).
 */
export class TenantWriteGates {
  private readonly gates = new Map<string, Gate>();

  /** true: entered at once (no promise, the usual case); otherwise resolves once entered, after a running deletion. */
  enter(account: string, tenant: string): true | Promise<void> {
    const key = keyOf(account, tenant);
    const gate = this.gates.get(key);
    if (gate?.closing) return gate.closing.then(() => this.entered(this.enter(account, tenant)));
    this.gateOf(key).writers += 1;
    return true;
  }

  leave(account: string, tenant: string): void {
    const key = keyOf(account, tenant);
    const gate = this.gates.get(key);
    if (!gate || gate.writers === 0) return;
    gate.writers -= 1;
    if (gate.writers > 0) return;
    gate.drained?.();
    if (!gate.closing) this.gates.delete(key);
  }

  /** Closes the tenant's gate once the writes inside have left (or `maxWaitMs` passed); resolves with its reopening. */
  async close(account: string, tenant: string, maxWaitMs: number): Promise<() => void> {
    const key = keyOf(account, tenant);
    let gate = this.gateOf(key);
    while (gate.closing) {
      await gate.closing;
      gate = this.gateOf(key);
    }
    let reopen!: () => void;
    gate.closing = new Promise<void>((resolve) => (reopen = resolve));
    const closed = gate;
    if (closed.writers > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        closed.drained = resolve;
        timer = setTimeout(resolve, maxWaitMs);
      });
      clearTimeout(timer);
      closed.drained = null;
    }
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      closed.closing = null;
      if (closed.writers === 0 && this.gates.get(key) === closed) this.gates.delete(key);
      reopen();
    };
  }

  /** Writes inside the tenant's gate now (a spec's view). */
  writersOf(account: string, tenant: string): number {
    return this.gates.get(keyOf(account, tenant))?.writers ?? 0;
  }

  private gateOf(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = { writers: 0, closing: null, drained: null };
      this.gates.set(key, gate);
    }
    return gate;
  }

  private async entered(outcome: true | Promise<void>): Promise<void> {
    if (outcome !== true) await outcome;
  }
}

const keyOf = (account: string, tenant: string): string => `${account}\u0000${tenant}`;

/** The process's gates: the services of one process (embedded mode) order their writes against one deletion. */
export const TENANT_WRITE_GATES = new TenantWriteGates();
