/**
 * iControl REST transactions: POST /mgmt/tm/transaction opens one; requests carrying
 * X-F5-REST-Coordination-Id are queued as tmsh statements; PATCH `{ "state": "VALIDATING" }`
 * runs them all as one tmsh script (one store transaction: all or nothing).
 */
import { RestError } from './rest-error';

export interface QueuedCommand {
  commandId: number;
  method: string;
  uri: string;
  body: unknown;
  /** The tmsh statements this request stands for. */
  tmsh: string[];
}

export interface RestTransaction {
  transId: number;
  user: string;
  state: 'STARTED' | 'COMPLETED' | 'FAILED';
  commands: QueuedCommand[];
  failureReason: string;
  created: number;
}

/** As on BIG-IP: a transaction not committed within this many seconds is discarded. */
export const TRANSACTION_TIMEOUT_S = 120;

export class TransactionTable {
  private next: number;
  private readonly open = new Map<number, RestTransaction>();

  constructor(private readonly now: () => number = Date.now) {
    this.next = now();
  }

  /** Forgets transactions left open past the timeout (a client that never commits costs nothing). */
  private expire(): void {
    const limit = this.now() - TRANSACTION_TIMEOUT_S * 1000;
    for (const [id, t] of this.open) if (t.created < limit) this.open.delete(id);
  }

  create(user: string): RestTransaction {
    this.expire();
    const t: RestTransaction = { transId: ++this.next, user, state: 'STARTED', commands: [], failureReason: '', created: this.now() };
    this.open.set(t.transId, t);
    return t;
  }

  get(id: string | number, user: string): RestTransaction {
    this.expire();
    const t = this.open.get(Number(id));
    if (!t || t.user !== user) throw new RestError(404, `Transaction ${id} was not found.`);
    return t;
  }

  delete(t: RestTransaction): void {
    this.open.delete(t.transId);
  }

  queue(id: string, user: string, cmd: Omit<QueuedCommand, 'commandId'>): QueuedCommand {
    const t = this.get(id, user);
    if (t.state !== 'STARTED') throw new RestError(400, `Transaction ${id} is ${t.state}: no more commands may be added.`);
    const q = { commandId: t.commands.length + 1, ...cmd };
    t.commands.push(q);
    return q;
  }
}

export function transactionJson(t: RestTransaction): Record<string, unknown> {
  return {
    transId: t.transId,
    state: t.state,
    timeoutSeconds: TRANSACTION_TIMEOUT_S,
    asyncExecution: false,
    validateOnly: false,
    executionTimeout: 300,
    executionTime: 0,
    failedCommandId: 0,
    failureReason: t.failureReason,
    kind: 'tm:transactionstate',
    selfLink: `https://localhost/mgmt/tm/transaction/${t.transId}?ver=14.1.2`,
  };
}
