/**
 * source-address-translation over real sockets: the member sees the SNAT pool's addresses in
 * turn, or with automap the address the client reached; a pool with no address of the member's
 * family never binds a wrong one.
 */
import { Harness, virtualSpec } from '../support/harness';
import { TestClient } from '../support/smtp-client';

const h = new Harness();
afterEach(() => h.stop());

async function greetedSessions(port: number, n: number): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = h.track(await TestClient.connect(port));
    replies.push(await c.reply());
  }
  return replies;
}

it('snat: member connections leave from the pool\'s addresses, round-robin', async () => {
  const member = await h.backend();
  const spec = virtualSpec('plain', undefined, { snat: { type: 'snat', pool: '/Common/sp', addresses: ['127.0.0.7', '127.0.0.8'] } });
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  expect((await greetedSessions(port, 4)).every((r) => r.startsWith('220 '))).toBe(true);
  expect(member.connections.map((s) => s.remoteAddress)).toEqual(['127.0.0.7', '127.0.0.8', '127.0.0.7', '127.0.0.8']);
});

it('automap: member connections leave from the address the client reached (the virtual\'s)', async () => {
  const member = await h.backend();
  const spec = virtualSpec('plain', undefined, { address: '127.0.0.9', snat: { type: 'automap' } });
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  const c = h.track(await TestClient.connect(port, { host: '127.0.0.9' }));
  expect(await c.reply()).toMatch(/^220 /);
  expect(member.connections.map((s) => s.remoteAddress)).toEqual(['127.0.0.9']);
});

it('without source-address-translation the host picks (127.0.0.1 towards a 127.0.0.1 member)', async () => {
  const member = await h.backend();
  const { port } = await h.proxy(virtualSpec('plain', undefined), [{ address: '127.0.0.1', port: member.port }]);
  await greetedSessions(port, 1);
  expect(member.connections.map((s) => s.remoteAddress)).toEqual(['127.0.0.1']);
});

it('a SNAT pool with no address of the member\'s family: the member is not used and the client gets 421', async () => {
  const member = await h.backend();
  const spec = virtualSpec('plain', undefined, { snat: { type: 'snat', pool: '/Common/sp6', addresses: ['::1'] } });
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  expect(await greetedSessions(port, 1)).toEqual([expect.stringMatching(/^421 4\.3\.2 /)]);
  expect(member.connections).toHaveLength(0);
});

it('a SNAT address this host does not have: the client gets 421 and the member is not blamed (not marked down)', async () => {
  const member = await h.backend();
  // TEST-NET-1: never an address of this host, so the bind fails before any packet is sent.
  const spec = virtualSpec('plain', undefined, { snat: { type: 'snat', pool: '/Common/sp', addresses: ['192.0.2.1'] } });
  const { port, selector } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  expect(await greetedSessions(port, 1)).toEqual([expect.stringMatching(/^421 4\.3\.2 /)]);
  expect(selector.failures).toEqual([]);
  expect(member.connections).toHaveLength(0);
});
