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

test('/stats renders show: nested entries with iControl names, 404 for what show does not cover', async () => {
  const node = await fx.call('GET', '/mgmt/tm/ltm/node/~Common~10.3.0.1/stats');
  const e = node.body.entries['https://localhost/mgmt/tm/ltm/node/~Common~10.3.0.1/~Common~10.3.0.1/stats'].nestedStats.entries;
  expect(e).toMatchObject({ 'serverside.totConns': { value: 0 }, 'status.availabilityState': { description: 'unknown' }, tmName: { description: '/Common/10.3.0.1' } });
  const members = await fx.call('GET', '/mgmt/tm/ltm/pool/~Common~p1/members/stats');
  expect(Object.values(members.body.entries as Record<string, { nestedStats: { entries: Record<string, unknown> } }>)[0].nestedStats.entries).toMatchObject({
    addr: { description: '10.3.0.1' }, port: { value: 25 }, poolName: { description: '/Common/p1' }, monitorStatus: { description: 'unknown' },
  });
  const shown = fx.store.execute('show ltm pool p1').data as Array<{ status: Record<string, unknown> }>;
  const pool = await fx.call('GET', '/mgmt/tm/ltm/pool/stats');
  expect(pool.body.entries['https://localhost/mgmt/tm/ltm/pool/~Common~p1/stats'].nestedStats.entries.memberCnt.value).toBe(shown[0].status['member-cnt']);
  expect((await fx.call('GET', '/mgmt/tm/ltm/virtual/~Common~nope/stats')).status).toBe(404);
  expect((await fx.call('GET', '/mgmt/tm/ltm/monitor/smtp/stats')).status).toBe(404);
});

test('/stats covers every type show prints: a virtual address sums its virtuals, an iRule says it is not executed', async () => {
  fx.store.writeStatus({
    generation: fx.store.generation(), at: Date.now(), members: [],
    virtuals: [{ name: '/Common/vs1', availability: 'available', state: 'enabled', reason: 'The virtual server is available', stats: { clientCurConns: 1, clientMaxConns: 2, clientTotConns: 7, clientBytesIn: 100, clientBytesOut: 50, starttlsOffered: 0, starttlsUpgraded: 0, refusedBeforeTls: 0, tlsHandshakeFailures: 0, pipelinedDiscarded: 0, smugglingBlocked: 0, connectionLimitRejected: 0, messages: 0, clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0, rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0, authRefusedBeforeTls: 0, earlyTalkers: 0 } }],
  });
  const va = await fx.call('GET', '/mgmt/tm/ltm/virtual-address/~Common~10.3.0.9/stats');
  expect(va.status).toBe(200);
  expect(va.body.entries['https://localhost/mgmt/tm/ltm/virtual-address/~Common~10.3.0.9/~Common~10.3.0.9/stats'].nestedStats.entries).toMatchObject({
    'clientside.totConns': { value: 7 }, 'clientside.bitsIn': { value: 800 }, 'status.availabilityState': { description: 'available' },
  });
  fx.store.execute('create ltm rule r1 { when CLIENT_ACCEPTED { log local0. hi } }');
  const rule = await fx.call('GET', '/mgmt/tm/ltm/rule/~Common~r1/stats');
  expect(rule.body.entries['https://localhost/mgmt/tm/ltm/rule/~Common~r1/~Common~r1/stats'].nestedStats.entries).toMatchObject({
    'events.CLIENT_ACCEPTED': { description: 'priority 500, not executed' }, 'status.enabledState': { description: 'stored only' },
  });
  fx.store.execute('delete ltm rule r1');
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
