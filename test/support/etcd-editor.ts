/**
 * Child process for the concurrency test: opens the store as tmsh does (OPENLTM_STORE, the
 * OPENLTM_ETCD_* settings) and adds `count` members to one shared pool, one command each, as
 * fast as it can. Prints one JSON line: which members each command reported applied, and the
 * errors of the others.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@openltm/model';
import { Session } from '@openltm/store';
import { openStoreAt } from '../../packages/cli/src/open-store';

const [tag, count] = process.argv.slice(3);
const store = openStoreAt(process.env.OPENLTM_STORE!);
const session = new Session();
// Opened: wait for the test's go, so the two editors' loops overlap.
process.stdout.write('ready\n');
readFileSync(0);
const result = { applied: [] as string[], conflicts: [] as string[], other: [] as string[] };
for (let i = 0; i < Number(count); i++) {
  const member = `10.${tag}.${Math.floor(i / 250)}.${(i % 250) + 1}:25`;
  try {
    store.execute(`modify ltm pool shared members add { ${member} }`, session);
    result.applied.push(member);
  } catch (err) {
    if (ConfigError.is(err) && err.code === '01070995') result.conflicts.push(String(err));
    else result.other.push(String(err));
  }
}
store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
