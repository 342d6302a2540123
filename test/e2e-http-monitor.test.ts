/**
 * http and tcp-half-open monitors end to end: the real daemon, a real smtp-sink as the member,
 * swaks as the client, and a small HTTP health endpoint on 127.0.0.1 that the http monitor asks
 * (`destination *:PORT`: the member's address, the health port). When the endpoint stops
 * answering 200, the member goes down and clients get 421; when it answers again, mail flows.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { freePort } from './support/ports';
import { swaks } from './support/swaks';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
let health: Server;
let healthStatus = 200;
const requests: string[] = [];
let port: number;
let halfOpenPort: number;

beforeAll(async () => {
  health = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
    res.writeHead(healthStatus, { 'content-type': 'text/plain' });
    res.end(healthStatus === 200 ? 'ok\n' : 'draining\n');
  });
  await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port = await freePort();
  halfOpenPort = await freePort();
  await ltm.startDaemon();
  const healthPort = (health.address() as AddressInfo).port;
  await ltm.tmshOk(`create ltm monitor http hc destination *:${healthPort} recv "^HTTP/1\\.[01] 200" interval 1 timeout 3`);
  await ltm.tmshOk(`create ltm pool p monitor hc members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs destination 127.0.0.1:${port} ip-protocol tcp pool p profiles replace-all-with { tcp { } }`);
});

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
  await new Promise((r) => health?.close(r));
});

const memberBlock = (pool = 'p') => ltm.tmshOk(`show ltm pool ${pool} members`);

test('the http monitor sends its default send string to the health endpoint and matches recv; a non-200 answer marks the member down (clients get 421) and a 200 brings it back', async () => {
  await eventually(memberBlock, (o) => /Monitor Status : up/.test(o), 10_000);
  expect(requests[0]).toBe('GET / HTTP/1.0');
  expect((await swaks({ port })).code).toBe(0);

  healthStatus = 503;
  const down = await eventually(memberBlock, (o) => /Monitor Status : down/.test(o), 15_000);
  expect(down).toMatch(/Availability +: offline/);
  const refused = await swaks({ port });
  expect(refused.code).not.toBe(0);
  expect(refused.transcript).toMatch(/<\*\* 421 4\.3\.2 /);

  healthStatus = 200;
  await eventually(memberBlock, (o) => /Monitor Status : up/.test(o), 15_000);
  const delivered = sink.counters().messages;
  expect((await swaks({ port })).code).toBe(0);
  await sink.waitForMessages(delivered + 1);
});

test('tcp-half-open marks a listening member up and a closed port down; a gateway_icmp in the rule is stored only and counts as passing (with a warning)', async () => {
  const dead = await freePort();
  const created = await ltm.tmsh(
    `create ltm pool ho monitor tcp_half_open and gateway_icmp members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } 127.0.0.1:${dead} { address 127.0.0.1 } }`,
  );
  expect(created.code).toBe(0);
  expect(created.stdout + created.stderr).toMatch(/01070998:4: Pool \(\/Common\/ho\): monitor \/Common\/gateway_icmp is stored only/);
  await ltm.tmshOk(`create ltm virtual vs_ho destination 127.0.0.1:${halfOpenPort} ip-protocol tcp pool ho profiles replace-all-with { tcp { } }`);
  const status = await eventually(
    () => memberBlock('ho'),
    (o) => /Monitor Status : up/.test(o) && /Monitor Status : down/.test(o),
    15_000,
  );
  const blocks = status.split('Ltm::Pool Member:').slice(1);
  expect(blocks.find((b) => b.includes(`:${sink.port}`))).toMatch(/Monitor Status : up/);
  expect(blocks.find((b) => b.includes(`:${dead}`))).toMatch(/Monitor Status : down/);
  expect((await swaks({ port: halfOpenPort })).code).toBe(0);
});
