/** The quickstart configuration `openltm start` applies to an empty store. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '@openltm/store';
import { openStoreAt } from '../open-store';

/** docs/examples/quickstart.tmsh in the repository this cli runs from. */
export const QUICKSTART_FILE = join(__dirname, '..', '..', '..', '..', 'docs', 'examples', 'quickstart.tmsh');

/** Applies the quickstart when the store has no virtual server; says whether it did. */
export function applyQuickstart(storePath: string, file = QUICKSTART_FILE): boolean {
  const store = openStoreAt(storePath);
  try {
    if (store.effective('ltm virtual').length > 0) return false;
    store.executeScript(readFileSync(file, 'utf8'), new Session(), { source: file });
    return true;
  } finally {
    store.close();
  }
}

export function quickstartHelp(storePath: string, applied: boolean): string {
  return [
    '',
    `openltm is running on ${storePath}${applied ? ' (quickstart configuration applied)' : ''}.`,
    'Virtual server vs_quickstart: STARTTLS required on 127.0.0.1:2525, pool member: the demo sink on 127.0.0.1:2526.',
    '',
    'Try:',
    '  swaks --server 127.0.0.1:2525 --tls --from a@example.test --to b@example.test',
    `  npx tmsh --store ${storePath} show ltm virtual vs_quickstart`,
    '',
    'Ctrl-C stops it (sessions drain first).',
    '',
  ].join('\n');
}
