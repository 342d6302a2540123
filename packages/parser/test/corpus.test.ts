import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatError, parseScript } from '@openltm/parser';

const dir = join(__dirname, 'fixtures', 'corpus');
/** Configuration files: saved files, `list` captures and tmsh scripts (`show_*` captures are not configuration). */
const files = readdirSync(dir).filter((f) => /\.conf$/.test(f) || /(^|__)list_.*\.txt$/.test(f) || /\.tmsh\.txt$/.test(f));

describe('corpus of real bigip.conf files, list captures and scripts', () => {
  it('has the files the tests rely on', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  it.each(files)('%s parses with no error', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const res = parseScript(text, { source: file });
    expect(res.errors.map((e) => formatError(e, text))).toEqual([]);
    expect(res.statements.length).toBeGreaterThan(0);
  });

  it('shapes the known objects of the saved archive', () => {
    const res = parseScript(readFileSync(join(dir, 'corkscrew__archive1__bigip.conf'), 'utf8'));
    const types = new Set(res.statements.flatMap((s) => (s.kind === 'object' ? [s.typeKey] : [])));
    expect([...types].sort()).toEqual(expect.arrayContaining(['ltm node', 'ltm pool', 'ltm virtual', 'ltm profile client-ssl', 'ltm monitor tcp']));
  });

  it('reads list output with relative names and service-name ports', () => {
    const res = parseScript(readFileSync(join(dir, 'kylinsoong__list_ltm_pool.txt'), 'utf8'));
    const pool = res.statements.find((s) => s.kind === 'object' && s.typeKey === 'ltm pool');
    expect(pool).toMatchObject({ name: 'pool_NGinx' });
    const members = pool?.kind === 'object' ? pool.properties.find((p) => p.name === 'members') : undefined;
    expect(members).toMatchObject({ value: { kind: 'collection', entries: [{ name: '192.168.6.11:http' }, { name: '192.168.80.40:webcache' }] } });
    expect(pool?.kind === 'object' && pool.properties.find((p) => p.name === 'monitor')).toMatchObject({
      value: { kind: 'monitor-rule', monitors: [{ text: 'gateway_icmp' }, { text: 'http' }, { text: 'tcp' }] },
    });
  });
});
