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

export class TransactionTable {
  private next = Date.now();
  private readonly open = new Map<number, RestTransaction>();

  create(user: string): RestTransaction {
    const t: RestTransaction = { transId: ++this.next, user, state: 'STARTED', commands: [], failureReason: '', created: Date.now() };
    this.open.set(t.transId, t);
    return t;
  }

  get(id: string | number, user: string): RestTransaction {
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
    timeoutSeconds: 120,
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
