/**
 * /metrics on the real `openltm api` while the real daemon serves mail: a Prometheus scrape,
 * parsed by Debian's python3-prometheus-client, shows the counters move as mail flows and the
 * member's availability and monitor state follow the backend.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startApiProcess, type ApiProcess } from './support/openltm-api';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { makeSelfSignedCert, type TestCertificate } from './support/certs';
import { freePort } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';
import { parsePrometheus, sample, type Sample } from './support/prometheus';
import { runProcess } from './support/run-process';
import { join } from 'node:path';

/** `openltm exec --json LINE` on the test's store. */
async function runExecJson(line: string): Promise<string> {
  const r = await runProcess(process.execPath, [join(__dirname, '..', 'bin', 'openltm'), 'exec', '--json', line], { env: { ...process.env, OPENLTM_STORE: ltm.storePath, HOME: ltm.dir } });
  return r.stdout;
}

jest.setTimeout(120_000);

let ltm: OpenltmInstance;
let api: ApiProcess;
let sink: SmtpSink;
let cert: TestCertificate;
let vsPort: number;
const AUTH = 'prom:scrape-secret';
const VS = { virtual: '/Common/vs_metrics' };

async function scrape(): Promise<Sample[]> {
  const r = await api.get('/metrics', AUTH);
  expect(r.status).toBe(200);
  expect(r.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(r.text);
}

beforeAll(async () => {
  cert = await makeSelfSignedCert({ keyType: 'ec' });
  sink = await startSmtpSink();
  ltm = createOpenltm();
  vsPort = await freePort();
  await ltm.tmshOk('create auth user prom password scrape-secret role guest');
  await ltm.tmshOk(`create sys file ssl-cert m.crt source-path file:${cert.certFile}`);
  await ltm.tmshOk(`create sys file ssl-key m.key source-path file:${cert.keyFile}`);
  await ltm.tmshOk('create ltm profile client-ssl m_cssl cert-key-chain replace-all-with { default { cert m.crt key m.key } }');
  await ltm.tmshOk('create ltm profile smtps m_smtps activation-mode require');
  await ltm.tmshOk('create ltm monitor smtp m_mon interval 1 timeout 3');
  await ltm.tmshOk(`create ltm pool m_pool monitor m_mon members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs_metrics destination 127.0.0.1:${vsPort} pool m_pool profiles replace-all-with { tcp { } m_smtps { } m_cssl { context clientside } }`);
  await ltm.startDaemon();
  api = await startApiProcess(ltm);
});

afterAll(async () => {
  await api?.stop();
  await ltm?.stop();
  await sink?.stop();
  cert?.remove();
});

test('needs credentials like the rest of the API', async () => {
  expect((await api.get('/metrics', 'prom:wrong')).status).toBe(401);
});

test('counters move as mail flows; availability and monitor state follow the member', async () => {
  const member = { pool: '/Common/m_pool', member: `/Common/127.0.0.1:${sink.port}` };
  // Wait for the monitor to mark the member up (the data plane reports about once a second).
  let s = await eventually(scrape, (x) => sample(x, 'openltm_pool_member_monitor_state', { ...member, state: 'up' }) === 1, 20_000, 200);
  expect(sample(s, 'openltm_pool_member_available', member)).toBe(1);
  expect(sample(s, 'openltm_virtual_available', VS)).toBe(1);
  const before = {
    conns: sample(s, 'openltm_virtual_connections_total', VS) ?? 0,
    upgraded: sample(s, 'openltm_virtual_starttls_upgraded_total', VS) ?? 0,
    refused: sample(s, 'openltm_virtual_starttls_refused_total', VS) ?? 0,
    memberConns: sample(s, 'openltm_pool_member_connections_total', member) ?? 0,
    bytesIn: sample(s, 'openltm_virtual_bytes_in_total', VS) ?? 0,
  };
  // The families are typed as Prometheus expects them.
  expect(s.find((x) => x.name === 'openltm_virtual_connections_total')?.type).toBe('counter');
  expect(s.find((x) => x.name === 'openltm_virtual_available')?.type).toBe('gauge');

  for (let i = 0; i < 3; i++) expectAccepted(await swaks({ port: vsPort, mode: 'starttls', subject: `metrics-${i}` }));
  const plain = await swaks({ port: vsPort, mode: 'plain', subject: 'refused' });
  expect(plain.code).not.toBe(0);
  await sink.waitForMessages(3);

  s = await eventually(scrape, (x) => (sample(x, 'openltm_virtual_starttls_refused_total', VS) ?? 0) > before.refused && (sample(x, 'openltm_virtual_connections_total', VS) ?? 0) >= before.conns + 4, 15_000, 200);
  expect(sample(s, 'openltm_virtual_connections_total', VS)).toBe(before.conns + 4);
  expect(sample(s, 'openltm_virtual_starttls_upgraded_total', VS)).toBe(before.upgraded + 3);
  expect(sample(s, 'openltm_virtual_starttls_refused_total', VS)).toBeGreaterThan(before.refused);
  expect(sample(s, 'openltm_pool_member_connections_total', member)).toBeGreaterThanOrEqual(before.memberConns + 3);
  expect(sample(s, 'openltm_virtual_bytes_in_total', VS)!).toBeGreaterThan(before.bytesIn);

  // /stats gives the same numbers (show's structured form) in iControl REST's nested shape.
  const vsStats = JSON.parse((await api.get('/mgmt/tm/ltm/virtual/~Common~vs_metrics/stats', AUTH)).text);
  const vsEntries = vsStats.entries['https://localhost/mgmt/tm/ltm/virtual/~Common~vs_metrics/~Common~vs_metrics/stats'].nestedStats.entries;
  const now = await scrape();
  expect(vsEntries['clientside.totConns'].value).toBe(sample(now, 'openltm_virtual_connections_total', VS));
  expect(vsEntries['starttls.upgraded'].value).toBe(sample(now, 'openltm_virtual_starttls_upgraded_total', VS));
  expect(vsEntries['clientside.bitsIn'].value).toBe(8 * sample(now, 'openltm_virtual_bytes_in_total', VS)!);
  expect(vsEntries['status.availabilityState'].description).toBe('available');
  const memberStats = JSON.parse((await api.get('/mgmt/tm/ltm/pool/~Common~m_pool/members/stats', AUTH)).text);
  const m = Object.values(memberStats.entries as Record<string, { nestedStats: { entries: Record<string, { value?: number; description?: string }> } }>)[0].nestedStats.entries;
  expect(m.port.value).toBe(sink.port);
  expect(m.monitorStatus.description).toBe('up');
  expect(m['serverside.totConns'].value).toBe(sample(now, 'openltm_pool_member_connections_total', member));
  const poolStats = JSON.parse((await api.get('/mgmt/tm/ltm/pool/stats', AUTH)).text);
  expect(poolStats.entries['https://localhost/mgmt/tm/ltm/pool/~Common~m_pool/stats'].nestedStats.entries.activeMemberCnt.value).toBe(1);
  expect((await api.get('/mgmt/tm/ltm/monitor/smtp/stats', AUTH)).status).toBe(404);
  // ... and the same as `openltm exec --json "show ..."`.
  const shown = JSON.parse(await runExecJson('show ltm virtual vs_metrics'));
  expect(shown.data[0][0].stats['clientside.tot-conns']).toBe(vsEntries['clientside.totConns'].value);

  // The process itself: event-loop lag and memory.
  expect(sample(s, 'openltm_nodejs_eventloop_lag_seconds')).toEqual(expect.any(Number));
  expect(sample(s, 'openltm_process_resident_memory_bytes')!).toBeGreaterThan(0);

  // The backend goes away: the monitor marks the member down and the gauges follow.
  await sink.stop();
  s = await eventually(scrape, (x) => sample(x, 'openltm_pool_member_monitor_state', { ...member, state: 'down' }) === 1, 20_000, 200);
  expect(sample(s, 'openltm_pool_member_available', member)).toBe(0);
  expect(sample(s, 'openltm_pool_available_members', { pool: '/Common/m_pool' })).toBe(0);
});
