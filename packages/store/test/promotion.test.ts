/**
 * A store written by an older openltm keeps objects of types it did not model (and properties it
 * did not model) as preserved records. Opened by a build that models them, they become
 * first-class: read again with the current schema, validated as a load validates. A record that
 * does not validate stays as it came and says why. Records are written here through the
 * repository, as the older build wrote them; the "store on etcd" project runs this on etcd too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRESERVED_KEY, type StoredProps, type StoredValue } from '@openltm/store';
import { openBackendAt, openStoreAt, tempDir } from './helpers';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'config.db');
  openStoreAt(file).close(); // a store with its built-ins, as any build makes one
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Props as an older build stored a whole object it did not model: its lines, verbatim. */
function verbatim(...lines: unknown[][]): StoredProps {
  return { [PRESERVED_KEY]: lines as unknown as StoredValue };
}

/** Writes records through the repository seam, as an older openltm did. */
function writeAsOlderBuild(records: Array<[type: string, path: string, props: StoredProps]>): void {
  const backend = openBackendAt(file);
  try {
    backend.write(() => {
      for (const [type, p, props] of records) backend.repo.insert(type, p, props);
    });
  } finally {
    backend.close();
  }
}

function run(store: ReturnType<typeof openStoreAt>, cmd: string): string {
  return store.execute(cmd).output;
}

describe('preserved records of types this build models', () => {
  it('become first-class when the store is opened: listed with their defaults, used by references, saved as objects', () => {
    writeAsOlderBuild([
      ['ltm snat-translation', '/Common/10.9.9.9', verbatim(['address', '10.9.9.9'], ['inherited-traffic-group', 'true'], ['traffic-group', '/Common/traffic-group-1'])],
      ['ltm snatpool', '/Common/sp', verbatim(['members', { b: [['/Common/10.9.9.9']] }])],
      ['ltm data-group internal', '/Common/dg', verbatim(['records', { b: [['a.example', { b: [['data', { q: 'x y' }]] }]] }], ['type', 'string'])],
    ]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.promoted.sort()).toEqual(['ltm data-group internal /Common/dg', 'ltm snat-translation /Common/10.9.9.9', 'ltm snatpool /Common/sp']);
      expect(store.promotion.kept).toEqual([]);
      // First-class: effective values (defaults filled) and the schema's layout.
      expect(store.getEffective('ltm snat-translation', '10.9.9.9')!.properties).toMatchObject({ address: '10.9.9.9', enabled: 'enabled' });
      // Its defaults, which the older record never wrote, are listed under all-properties.
      expect(run(store, 'list ltm snat-translation 10.9.9.9 all-properties')).toBe(
        [
          'ltm snat-translation 10.9.9.9 {', '    address 10.9.9.9', '    app-service none', '    arp enabled', '    connection-limit 0', '    enabled',
          '    inherited-traffic-group true', '    ip-idle-timeout indefinite', '    tcp-idle-timeout indefinite', '    traffic-group /Common/traffic-group-1',
          '    udp-idle-timeout indefinite', '}', '',
        ].join('\n'),
      );
      expect(run(store, 'list ltm data-group internal dg')).toBe('ltm data-group internal dg {\n    records {\n        a.example {\n            data "x y"\n        }\n    }\n    type string\n}\n');
      // The SNAT pool's member is a real reference now: the translation is in use.
      expect(() => store.execute('delete ltm snat-translation 10.9.9.9')).toThrow(/in use/);
      // Modifiable like any object.
      store.execute('modify ltm snat-translation 10.9.9.9 connection-limit 5');
      expect(run(store, 'list ltm snat-translation 10.9.9.9 connection-limit')).toBe('ltm snat-translation 10.9.9.9 {\n    connection-limit 5\n}\n');
    } finally {
      store.close();
    }
    // Reopened, nothing is left to promote (and nothing is written again).
    const again = openStoreAt(file);
    try {
      const generation = again.generation();
      expect(again.promotion).toEqual({ promoted: [], kept: [], partial: [] });
      expect(again.generation()).toBe(generation);
    } finally {
      again.close();
    }
  });

  it('an iRule kept verbatim becomes an ltm rule with the same Tcl, which a virtual can then name', () => {
    const tcl = '\nwhen CLIENT_ACCEPTED {\n    log local0. "hello \\{"\n}\n';
    writeAsOlderBuild([['ltm rule', '/Common/r1', verbatim([{ tcl }])]]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.promoted).toEqual(['ltm rule /Common/r1']);
      expect(run(store, 'list ltm rule r1')).toBe(`ltm rule r1 {${tcl}}\n`);
      store.execute('create ltm virtual v destination 192.0.2.5:25 ip-protocol tcp profiles add { tcp } rules { r1 }');
      expect(() => store.execute('delete ltm rule r1')).toThrow(/in use/);
    } finally {
      store.close();
    }
  });

  it('a property an older build kept verbatim on a modelled object becomes a setting', () => {
    writeAsOlderBuild([
      ['ltm snat-translation', '/Common/10.9.9.9', verbatim(['address', '10.9.9.9'])],
      ['ltm snatpool', '/Common/sp', verbatim(['members', { b: [['/Common/10.9.9.9']] }])],
      ['ltm pool', '/Common/p', { description: 'kept', [PRESERVED_KEY]: [['load-balancing-mode', 'least-connections-member'], ['x-unknown', 'stays']] as unknown as StoredValue }],
    ]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.promoted).toContain('ltm pool /Common/p');
      expect(store.getEffective('ltm pool', 'p')!.properties).toMatchObject({ description: 'kept', 'load-balancing-mode': 'least-connections-member' });
      // What this build does not model either stays verbatim, in its place.
      expect(run(store, 'list ltm pool p')).toBe('ltm pool p {\n    description kept\n    load-balancing-mode least-connections-member\n    x-unknown stays\n}\n');
    } finally {
      store.close();
    }
  });

  it('a record that does not validate stays as it came and says why; list and save keep it verbatim', () => {
    writeAsOlderBuild([
      ['ltm snat-translation', '/Common/bad', verbatim(['address', 'not-an-address'])],
      ['ltm snat-translation', '/Common/10.9.9.8', verbatim(['address', '10.9.9.8'])],
    ]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.promoted).toEqual(['ltm snat-translation /Common/10.9.9.8']);
      expect(store.promotion.kept).toHaveLength(1);
      expect(store.promotion.kept[0]).toMatchObject({ type: 'ltm snat-translation', path: '/Common/bad' });
      expect(store.promotion.kept[0].reason).toMatch(/not-an-address/);
      expect(run(store, 'list ltm snat-translation bad')).toBe('ltm snat-translation bad {\n    address not-an-address\n}\n');
      expect(store.execute('list ltm snat-translation bad').data).toEqual([{ type: 'ltm snat-translation', name: '/Common/bad', kept: expect.stringMatching(/not-an-address/) }]);
      expect(run(store, 'show ltm snat-translation bad')).toMatch(/^ltm snat-translation \/Common\/bad: stored only: kept as it came from an earlier openltm, not acted on, because it does not validate: .*not-an-address/);
      expect(() => store.execute('modify ltm snat-translation bad connection-limit 5')).toThrow(/kept as it came from an earlier openltm and cannot be modified/);
      // Not first-class: the daemon's reads never see it.
      expect(store.effective('ltm snat-translation').map((o) => o.name)).toEqual(['/Common/10.9.9.8']);
      expect(store.getEffective('ltm snat-translation', 'bad')).toBeUndefined();
      const saved = path.join(dir, 'saved.conf');
      store.execute(`save sys config file ${saved}`);
      expect(fs.readFileSync(saved, 'utf8')).toContain('\nltm snat-translation /Common/bad {\n    address not-an-address\n}\n');
      // A corrected definition loaded over it makes it first-class.
      const fix = path.join(dir, 'fix.conf');
      fs.writeFileSync(fix, 'ltm snat-translation /Common/bad {\n    address 10.9.9.7\n}\n');
      store.execute(`load sys config merge file ${fix}`);
      expect(store.getEffective('ltm snat-translation', 'bad')!.properties).toMatchObject({ address: '10.9.9.7' });
      expect(run(store, 'list ltm snat-translation bad')).toBe('ltm snat-translation bad {\n    address 10.9.9.7\n}\n');
      store.execute('modify ltm snat-translation bad connection-limit 5');
    } finally {
      store.close();
    }
    const again = openStoreAt(file);
    try {
      expect(again.promotion).toEqual({ promoted: [], kept: [], partial: [] });
    } finally {
      again.close();
    }
  });

  it('verbatim settings of a first-class object that do not validate stay stored only; the object stays first-class', () => {
    writeAsOlderBuild([
      ['ltm pool', '/Common/p', { description: 'kept', [PRESERVED_KEY]: [['load-balancing-mode', 'no-such-mode']] as unknown as StoredValue }],
    ]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.promoted).toEqual([]);
      expect(store.promotion.kept).toEqual([]);
      expect(store.promotion.partial).toEqual([{ type: 'ltm pool', path: '/Common/p', reason: expect.stringMatching(/no-such-mode/) }]);
      // Still an object the data plane gets, with the line kept as it came.
      expect(store.effective('ltm pool').map((o) => o.name)).toContain('/Common/p');
      expect(run(store, 'list ltm pool p')).toBe('ltm pool p {\n    description kept\n    load-balancing-mode no-such-mode\n}\n');
      store.execute('modify ltm pool p description changed');
    } finally {
      store.close();
    }
  });

  it('a SNAT pool and the translation it names, both verbatim, are promoted together whatever their order', () => {
    // The SNAT pool sorts first and refers to a translation that is itself still verbatim.
    writeAsOlderBuild([
      ['ltm snatpool', '/Common/a-pool', verbatim(['members', { b: [['/Common/10.9.9.9']] }])],
      ['ltm snat-translation', '/Common/10.9.9.9', verbatim(['address', '10.9.9.9'])],
    ]);
    const store = openStoreAt(file);
    try {
      expect(store.promotion.kept).toEqual([]);
      expect(store.getEffective('ltm snatpool', 'a-pool')!.properties.members).toEqual(['/Common/10.9.9.9']);
    } finally {
      store.close();
    }
  });
});
