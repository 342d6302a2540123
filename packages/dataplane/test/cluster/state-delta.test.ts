import { StateAssembly, StateBroadcast, stateMessage } from '../../src/cluster/state-delta';
import type { ClientSslSpec, DesiredState, VirtualSpec } from '../../src/desired-state';

const ssl: ClientSslSpec = { name: '/Common/clientssl', certKeyChain: [{ cert: 'CERT', key: 'KEY' }], ciphers: 'DEFAULT', options: [], handshakeTimeout: 10 };
const vs = (i: number): VirtualSpec => ({ name: `/Common/vs${i}`, enabled: true, address: '127.0.0.1', port: 3000 + i, idleTimeout: 300, connectionLimit: 0, clientSsl: ssl, smtps: { name: '/Common/smtps', activationMode: 'require' } });

describe('state sent to workers as changes', () => {
  it('a one-virtual edit among thousands sends that virtual only, and the worker rebuilds the whole state', () => {
    const virtuals = Array.from({ length: 2000 }, (_, i) => vs(i));
    const s1: DesiredState = { generation: 1, virtuals, pools: [], monitors: [] };
    const broadcast = new StateBroadcast();
    const worker = new StateAssembly();
    const first = stateMessage(broadcast.delta(s1), 1, true, 0, 2);
    expect(first.virtuals).toHaveLength(2000);
    // The certificate and key travel once per message, not once per virtual.
    expect(JSON.stringify(first).split('CERT').length - 1).toBe(1);
    worker.apply(first);

    const edited = { ...virtuals[5], idleTimeout: 60 };
    const s2: DesiredState = { generation: 2, virtuals: [...virtuals.slice(0, 5), edited, ...virtuals.slice(6, 1999), vs(5000)], pools: [], monitors: [] };
    const second = stateMessage(broadcast.delta(s2), 2, false, 0, 2);
    expect(second.virtuals.map((v) => v.name)).toEqual(['/Common/vs5', '/Common/vs5000']);
    expect(second.removedVirtuals).toEqual(['/Common/vs1999']);
    const rebuilt = worker.apply(JSON.parse(JSON.stringify(second)));
    expect(rebuilt.generation).toBe(2);
    expect(rebuilt.virtuals).toHaveLength(2000);
    expect(rebuilt.virtuals.find((v) => v.name === '/Common/vs5')).toEqual(edited);
    expect(rebuilt.virtuals.find((v) => v.name === '/Common/vs1999')).toBeUndefined();
    expect(rebuilt.virtuals.find((v) => v.name === '/Common/vs7')).toEqual(vs(7));
  });

  it('a new worker gets everything last broadcast', () => {
    const broadcast = new StateBroadcast();
    broadcast.delta({ generation: 4, virtuals: [vs(1), vs(2)], pools: [], monitors: [] });
    const state = new StateAssembly().apply(stateMessage(broadcast.everything(), broadcast.lastGeneration, true, 1, 2));
    expect(state.generation).toBe(4);
    expect(state.virtuals.map((v) => v.name)).toEqual(['/Common/vs1', '/Common/vs2']);
    expect(state.virtuals[0].clientSsl).toEqual(ssl);
  });
});

test('a client-ssl spec received again unchanged is the same object (its TLS context is reused)', () => {
  const broadcast = new StateBroadcast();
  const worker = new StateAssembly();
  const a = worker.apply(JSON.parse(JSON.stringify(stateMessage(broadcast.delta({ generation: 1, virtuals: [vs(1)], pools: [], monitors: [] }), 1, true, 0, 1))));
  const b = worker.apply(JSON.parse(JSON.stringify(stateMessage(broadcast.delta({ generation: 2, virtuals: [vs(1), vs(2)], pools: [], monitors: [] }), 2, false, 0, 1))));
  expect(b.virtuals[1].clientSsl).toBe(a.virtuals[0].clientSsl);
  const changed = { ...ssl, ciphers: 'HIGH' };
  const c = worker.apply(JSON.parse(JSON.stringify(stateMessage(broadcast.delta({ generation: 3, virtuals: [vs(1), { ...vs(3), clientSsl: changed }], pools: [], monitors: [] }), 3, false, 0, 1))));
  expect(c.virtuals.find((v) => v.name === '/Common/vs3')!.clientSsl).toEqual(changed);
  expect(c.virtuals.find((v) => v.name === '/Common/vs3')!.clientSsl).not.toBe(a.virtuals[0].clientSsl);
});
