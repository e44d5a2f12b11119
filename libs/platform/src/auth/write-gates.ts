/** The writes in flight behind one gate (a tenant, a partner, an instance), and its closing (a deletion) when one runs. */
interface Gate {
  writers: number;
  /** Resolves when the closing ends; null while no closing runs. */
  closing: Promise<void> | null;
  /** Called when the last writer leaves while a closing waits for them. */
  drained: (() => void) | null;
}

/**
 * Orders writes against the deletion of what they depend on, within the process (every service of the embedded
 * all-in-one shares one set): a write enters the gate of what it checks (at once unless a deletion runs) and leaves once
 * done; a deletion closes the gate, waits until the writes inside have left (at most `maxWaitMs`: a connection test may
 * run for seconds), runs, and opens it again. A write that came meanwhile enters after it, and then finds its target
 * deleted, so no write is stored after a deletion it raced having checked before it (a tenant's partner created after
 * `tenant.deleted.v1`, an override of a deleted master partner, a partnership the cascade of its instance missed).
 */
export class WriteGates {
  private readonly gates = new Map<string, Gate>();

  /** true: entered at once (no promise, the usual case); otherwise resolves once entered, after a running deletion. */
  enter(key: string): true | Promise<void> {
    const gate = this.gates.get(key);
    // After the deletion, entered as if it came then: behind a deletion that came meanwhile too.
    if (gate?.closing)
      return gate.closing.then(async () => {
        const again = this.enter(key);
        if (again !== true) await again;
      });
    this.gateOf(key).writers += 1;
    return true;
  }

  leave(key: string): void {
    const gate = this.gates.get(key);
    if (!gate || gate.writers === 0) return;
    gate.writers -= 1;
    if (gate.writers > 0) return;
    gate.drained?.();
    if (!gate.closing) this.gates.delete(key);
  }

  /** Closes the gate once the writes inside have left (or `maxWaitMs` passed); resolves with its reopening. */
  async close(key: string, maxWaitMs: number = CLOSE_WAITS_FOR_WRITES_MS): Promise<() => void> {
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

  /** Writes inside the gate now (a spec's view). */
  writersOf(key: string): number {
    return this.gates.get(key)?.writers ?? 0;
  }

  /** Runs `work` with the gate of `key` closed (once the writes inside have left), and opens it once it settled. */
  async closed<T>(key: string, work: () => Promise<T>): Promise<T> {
    const reopen = await this.close(key);
    try {
      return await work();
    } finally {
      reopen();
    }
  }

  private gateOf(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = { writers: 0, closing: null, drained: null };
      this.gates.set(key, gate);
    }
    return gate;
  }
}

/** How long a deletion waits for the writes under way behind its gate (a connection test may take seconds). */
export const CLOSE_WAITS_FOR_WRITES_MS = 5_000;

/** The gate of a tenant's writes (its deletion closes it). */
export const tenantGate = (account: string, tenant: string): string => `tenant\u0000${account}\u0000${tenant}`;
/** The gate of the writes that depend on a partner, a tenant's or a master (its deletion closes it). */
export const partnerGate = (account: string, partnerId: string): string => `partner\u0000${account}\u0000${partnerId}`;
/** One partner's station moves in a tenant, one at a time (each closes it): each reads the station the one before left. */
export const stationMovesGate = (account: string, tenant: string, partnerId: string): string => `station-moves\u0000${account}\u0000${tenant}\u0000${partnerId}`;
/**
 * A master partner's contact, one change at a time (each closes it, and leaves once its views are written): a tenant's
 * override giving it a station checks the master's email, the account's removal of that email checks the overrides.
 */
export const inheritedContactGate = (account: string, masterPartnerId: string): string => `inherited-contact\u0000${account}\u0000${masterPartnerId}`;
/** The gate of the writes that name a key alias of the account (an AS2 instance's `my_as2_alias`; the key's deletion closes it). */
export const keyAliasGate = (account: string, alias: string): string => `key-alias\u0000${account}\u0000${alias}`;
/** The gate of the writes that depend on an AS2 instance (its deletion closes it). */
export const as2InstanceGate = (account: string, instanceId: string): string => `as2-instance\u0000${account}\u0000${instanceId}`;

/** The process's gates: the services of one process (embedded mode) order their writes against one deletion. */
export const WRITE_GATES = new WriteGates();
