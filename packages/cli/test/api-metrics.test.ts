/**
 * The metrics registry on a real store, and the Grafana dashboard that reads it: every metric a
 * dashboard query names is one openltm exports, so the dashboard cannot silently show nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiFixture, type ApiFixture } from './helpers/api-fixture';

let fx: ApiFixture;
beforeAll(async () => {
  fx = await startApiFixture();
  fx.store.execute('create ltm pool p1 members replace-all-with { 10.3.0.1:25 { address 10.3.0.1 } }');
  fx.store.execute('create ltm virtual vs1 destination 10.3.0.9:25 pool p1');
});
afterAll(() => fx?.close());

test('before any status report every object is exported as unavailable with zero counters', async () => {
  const res = await fx.call('GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.text).toContain('openltm_virtual_connections_total{virtual="/Common/vs1"} 0');
  expect(res.text).toContain('openltm_virtual_available{virtual="/Common/vs1"} 0');
  expect(res.text).toContain('openltm_pool_member_monitor_state{pool="/Common/p1",member="/Common/10.3.0.1:25",state="unknown"} 1');
  expect(res.text).toContain('openltm_pool_members{pool="/Common/p1"} 1');
  expect((await fx.call('POST', '/metrics', { body: {} })).status).toBe(405);
});

test('the Grafana dashboard queries only metrics openltm exports', async () => {
  const exported = new Set(
    (await fx.call('GET', '/metrics')).text.split('\n').filter((l) => l.startsWith('# TYPE ')).flatMap((l) => {
      const [, , name, type] = l.split(' ');
      return type === 'histogram' || type === 'summary' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
    }),
  );
  const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
  const vars: string[] = dashboard.templating.list.filter((v: { type: string }) => v.type === 'query').map((v: { definition: string }) => v.definition);
  const used = new Set([...exprs, ...vars].flatMap((e) => e.match(/openltm_[a-z0-9_]+/g) ?? []));
  expect(used.size).toBeGreaterThan(10);
  expect([...used].filter((m) => !exported.has(m))).toEqual([]);
});
