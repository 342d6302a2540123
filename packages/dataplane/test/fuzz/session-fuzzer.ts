/**
 * The session fuzzer: fast-check generates SMTP sessions (commands with case and whitespace
 * variants, pipelined bursts, DATA with hostile content, AUTH, BDAT, STARTTLS at random points
 * with plaintext injected behind it, TLS records and garbage, over-long lines, floods of pipelined
 * commands, early talkers) and plays them
 * against real VirtualListeners (none, allow, require, implicit) in front of a ScriptedMember.
 *
 * Invariants, checked for every session:
 * - the process survives and no session fault is logged;
 * - nothing the mode forbids reaches the member: no STARTTLS, XCLIENT, XFORWARD, PROXY or BDAT
 *   line as the member reads it, and no line the client sent where the proxy must refuse it
 *   (require mode before TLS, mail commands after TLS before EHLO, plaintext behind STARTTLS:
 *   those lines carry a marker the member must never see);
 * - every command line gets exactly one reply, in order: the member tags each reply with a
 *   sequence number and the verb it acted on; tags must rise and name the verb that was sent;
 * - memory per session stays bounded (held input, queued output, owed replies);
 * - the proxy only closes after QUIT, or with a reply that explains it (421 too many errors,
 *   554 smuggling, 554 TLS before STARTTLS, 521/552 BDAT syntax or size).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import fc from 'fast-check';
import pino from 'pino';
import type { VirtualSpec } from '../../src/desired-state';
import { VirtualListener } from '../../src/listener/virtual-listener';
import { FixedSelector } from '../support/fixed-selector';
import { virtualSpec, type Mode } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';
import { memberVerb, ScriptedMember } from './scripted-member';

export const MARK = 'F0RB1D';
const MODES: Mode[] = ['none', 'allow', 'require', 'implicit'];
/** Bounds per session: held input (64 KiB hold + one AUTH line + a read), output, owed replies. */
export const BOUNDS = { input: 64 * 1024 + 12288 + 65536, output: 256 * 1024, owed: 128 };

// ---- what a session is ----------------------------------------------------------------------

export interface Cmd { verb: string; args: string; lead: string; sep: string; upper: boolean; crlf: boolean }
export type Step =
  | { t: 'cmd'; cmd: Cmd }
  | { t: 'pipe'; cmds: Cmd[] }
  | { t: 'data'; content: string }
  | { t: 'auth' }
  | { t: 'bdat'; size: number; last: boolean }
  | { t: 'starttls'; inject: boolean }
  | { t: 'garbage'; bytes: number[] }
  | { t: 'long'; length: number }
  /** Hundreds of commands in one write: in-flight commands must stay bounded. */
  | { t: 'flood'; n: number };
/** `early`: a command sent before the greeting (an early talker). */
export interface Session { mode: Mode; early: boolean; steps: Step[] }

export interface GenOptions {
  /** TAB separators, leading whitespace and control bytes: the reading differences of issue 10. */
  lenient: boolean;
}

const PLAIN_VERBS = ['EHLO', 'HELO', 'MAIL', 'RCPT', 'RSET', 'NOOP', 'VRFY', 'HELP', 'ETRN', 'EXPN', 'XCLIENT', 'XFORWARD', 'PROXY'];
const SPECIAL = new Set(['DATA', 'AUTH', 'BDAT', 'QUIT', 'STARTTLS', 'BURL']);
const ARGS: Record<string, string> = {
  EHLO: 'client.test', HELO: 'client.test', MAIL: 'FROM:<a@client.test>', RCPT: 'TO:<b@member.test>', VRFY: 'b',
  ETRN: 'member.test', XCLIENT: 'ADDR=6.6.6.6 NAME=spoof.test', XFORWARD: 'ADDR=6.6.6.6', PROXY: 'TCP4 6.6.6.6 1.1.1.1 1 25',
};

function cmdArb(o: GenOptions): fc.Arbitrary<Cmd> {
  const word = fc.stringMatching(/^[A-Za-z]{1,8}$/).filter((w) => !SPECIAL.has(w.toUpperCase()) && !PLAIN_VERBS.includes(w.toUpperCase()));
  const verb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PLAIN_VERBS) }, { weight: 1, arbitrary: word });
  const ctl = fc.constantFrom('\0', '\x01', '\x7f', '\t', '\r', '\x1b');
  const extra = o.lenient ? fc.oneof(fc.constant(''), fc.string({ maxLength: 6 }), ctl) : fc.constant('');
  return fc.record({
    verb,
    args: extra,
    lead: o.lenient ? fc.constantFrom('', '', '', ' ', '\t') : fc.constant(''),
    sep: o.lenient ? fc.constantFrom(' ', ' ', ' ', '\t', '  ', ' \t') : fc.constant(' '),
    upper: fc.boolean(),
    crlf: fc.boolean(),
  }).map((c) => ({ ...c, verb: c.verb.toUpperCase(), args: (ARGS[c.verb.toUpperCase()] ?? '') + c.args.replace(/\n/g, '') }));
}

export function sessionArb(o: GenOptions): fc.Arbitrary<Session> {
  const cmd = cmdArb(o);
  const contentLine = fc.oneof(
    fc.constantFrom('hello', '.', '..', '.hidden', '', 'Subject: x', '\n.\n', '\r.\r', '\n.\r\n', 'a\rb', 'a\nb', '.\r'),
    fc.string({ maxLength: 40 }),
  );
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: cmd.map((c) => ({ t: 'cmd' as const, cmd: c })) },
    { weight: 3, arbitrary: fc.array(cmd, { minLength: 2, maxLength: 12 }).map((cmds) => ({ t: 'pipe' as const, cmds })) },
    {
      weight: 2,
      arbitrary: fc.array(contentLine, { maxLength: 8 }).map((ls) => ({ t: 'data' as const, content: ls.join('\r\n') }))
        // The end of data is the step's own; an early one would turn content into commands.
        .filter((d) => !`\r\n${d.content}\r\n`.includes('\r\n.\r\n')),
    },
    { weight: 1, arbitrary: fc.constant({ t: 'auth' as const }) },
    { weight: 1, arbitrary: fc.record({ size: fc.nat(300), last: fc.boolean() }).map((b) => ({ t: 'bdat' as const, ...b })) },
    { weight: 2, arbitrary: fc.boolean().map((inject) => ({ t: 'starttls' as const, inject })) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        // A TLS ClientHello record header and body, as a client that skipped STARTTLS sends it.
        fc.uint8Array({ minLength: 5, maxLength: 300 }).map((b) => [0x16, 0x03, 0x01, ...b]),
        fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => [0x80 | (b[0] ?? 0), ...b]),
      ).map((bytes) => ({ t: 'garbage' as const, bytes: bytes.filter((x) => x !== 0x0a) })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20000 }).map((length) => ({ t: 'long' as const, length })) },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map((n) => ({ t: 'flood' as const, n })) },
  );
  return fc.record({
    mode: fc.constantFrom(...MODES),
    early: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    steps: fc.array(step, { maxLength: 14 }),
  });
}

// ---- the rig: one listener per mode, one member -----------------------------------------------

export interface Rig {
  member: ScriptedMember;
  listeners: Map<Mode, VirtualListener>;
  cert: TestCert;
  faults: string[];
  stop(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const cert = makeCert();
  const member = await new ScriptedMember().start();
  const faults: string[] = [];
  // Session faults are logged at error level by SessionBase.guard: any one is a crash of that session.
  const logger = pino({ level: 'error' }, { write: (line: string) => void faults.push(line) });
  const listeners = new Map<Mode, VirtualListener>();
  for (const mode of MODES) {
    const spec: VirtualSpec = virtualSpec(mode, cert, { name: `/Common/vs_${mode}`, idleTimeout: 60 });
    const l = new VirtualListener(spec, {
      selector: new FixedSelector([{ address: '127.0.0.1', port: member.port }]),
      logger, hostname: 'proxy.test', timeouts: { backendConnect: 5000, backendGreeting: 5000 },
    });
    await l.listen();
    listeners.set(mode, l);
  }
  return {
    member, listeners, cert, faults,
    stop: async () => {
      await Promise.all([...listeners.values()].map((l) => l.drain(0)));
      await member.stop();
    },
  };
}

// ---- playing one session ----------------------------------------------------------------------

export class Violation extends Error {}

const fail = (why: string): never => {
  throw new Violation(why);
};

/** Closes the proxy may make on its own, each with a reply that says why. */
const EXPLAINED_CLOSE = /^(421 4\.7\.0 .*too many errors|554 5\.7\.0 .*end-of-data|521 5\.5\.4 |552 5\.3\.4 |554 5\.5\.1 Error: (TLS handshake before STARTTLS|SMTP protocol violation))/;

class Wire {
  private buf = '';
  private closed = false;
  private waiter: (() => void) | undefined;
  sock: net.Socket | tls.TLSSocket;

  constructor(readonly raw: net.Socket) {
    this.sock = raw;
    this.listen(raw);
    raw.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    raw.on('error', () => undefined);
  }

  private listen(s: net.Socket | tls.TLSSocket): void {
    s.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.waiter?.();
    });
    s.on('error', () => undefined);
  }

  write(data: string | Buffer): void {
    if (!this.sock.destroyed) this.sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next whole reply, or undefined once the connection is closed with nothing pending. */
  async reply(timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return m[0];
      }
      if (this.closed) {
        if (this.buf) fail(`connection closed after a partial reply: ${JSON.stringify(this.buf)}`);
        return undefined;
      }
      const left = deadline - Date.now();
      if (left <= 0) fail(`no reply within ${timeoutMs} ms (pending ${JSON.stringify(this.buf)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async startTls(ca: string): Promise<void> {
    const plain = this.sock as net.Socket;
    plain.removeAllListeners('data');
    if (this.buf) fail(`bytes after the 220 to STARTTLS: ${JSON.stringify(this.buf)}`);
    const s = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const t = tls.connect({ socket: plain, servername: 'proxy.test', ca }, () => resolve(t));
      t.once('error', reject);
    });
    this.sock = s;
    this.listen(s);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  destroy(): void {
    this.sock.destroy();
    this.raw.destroy();
  }
}

interface State { tls: boolean; needHelo: boolean; mode: Mode; lastTag: number; replies: number }

/** Whether the proxy must keep this verb from the member in this state (the marker goes in). */
function refusedHere(verb: string, st: State): boolean {
  if (st.mode === 'require' && !st.tls && !['EHLO', 'HELO', 'NOOP', 'RSET', 'QUIT', 'STARTTLS'].includes(verb)) return true;
  return st.needHelo && ['MAIL', 'RCPT', 'DATA', 'BDAT', 'BURL', 'AUTH', 'ETRN'].includes(verb);
}

function render(c: Cmd, st: State): { line: string; verb: string } {
  const verb = c.upper ? c.verb : c.verb.toLowerCase();
  const marked = refusedHere(c.verb, st) || ['XCLIENT', 'XFORWARD', 'PROXY'].includes(c.verb);
  const args = marked ? `${c.args} ${MARK}` : c.args;
  return { line: `${c.lead}${verb}${args ? c.sep + args : ''}${c.crlf ? '\r\n' : '\n'}`, verb: c.verb };
}

/** Checks one reply to a line whose verb was `verb` (undefined: no member verb to compare). */
function check(reply: string, verb: string | undefined, st: State): void {
  st.replies++;
  const tag = /#(\d+) (\S+)/.exec(reply.split('\n')[0]);
  if (!tag) return; // a reply of the proxy's own
  const n = Number(tag[1]);
  if (n <= st.lastTag) fail(`member reply #${n} out of order (after #${st.lastTag}): ${reply.trim()}`);
  st.lastTag = n;
  if (verb !== undefined && tag[2] !== verb) fail(`reply to ${verb} answers ${tag[2]}: the proxy and the member read different commands`);
}

export interface PlayResult { closedBy: string; maxInput: number; maxOutput: number; maxOwed: number }

export async function playSession(rig: Rig, session: Session, timeoutMs = 20000): Promise<PlayResult> {
  const listener = rig.listeners.get(session.mode)!;
  const port = listener.address().port;
  const raw = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
  const w = new Wire(raw);
  const st: State = { tls: false, needHelo: false, mode: session.mode, lastTag: 0, replies: 0 };
  const res: PlayResult = { closedBy: '', maxInput: 0, maxOutput: 0, maxOwed: 0 };
  const sample = (): void => {
    for (const f of listener.footprints()) {
      res.maxInput = Math.max(res.maxInput, f.input);
      res.maxOutput = Math.max(res.maxOutput, f.output);
      res.maxOwed = Math.max(res.maxOwed, f.owed);
    }
    if (res.maxInput > BOUNDS.input || res.maxOutput > BOUNDS.output || res.maxOwed > BOUNDS.owed) {
      fail(`session footprint over bounds: ${JSON.stringify(res)}`);
    }
  };
  /** A reply is due: undefined means the proxy closed, which only an explaining reply allows. */
  let lastReply = '';
  const next = async (): Promise<string | undefined> => {
    const r = await w.reply(timeoutMs);
    sample();
    if (r === undefined) {
      if (!EXPLAINED_CLOSE.test(lastReply)) fail(`closed without a reply that explains it (last: ${JSON.stringify(lastReply)})`);
      return undefined;
    }
    if (/^421 4\.4\.|^421 4\.3\./.test(r)) fail(`proxy gave up on a live session: ${r.trim()}`);
    lastReply = r;
    return r;
  };
  try {
    if (session.mode === 'implicit') {
      await w.startTls(rig.cert.cert);
      st.tls = true;
    }
    // An early talker is refused (554 and close) when its bytes beat the greeting; when the
    // greeting wins the race, the bytes are an ordinary command owed one reply.
    const early = session.early && session.mode !== 'implicit';
    if (early) w.write('NOOP\r\n');
    const greeting = await next();
    if (greeting === undefined) {
      res.closedBy = lastReply.trim();
      return res;
    }
    if (early && /^554 5\.5\.1 /.test(greeting)) {
      if ((await next()) !== undefined) fail('the session went on after refusing an early talker');
      res.closedBy = greeting.trim();
      return res;
    }
    if (!greeting.startsWith('220 ')) fail(`no greeting: ${JSON.stringify(greeting)}`);
    if (early) {
      const r = await next();
      if (r === undefined) return res;
      check(r, 'NOOP', st);
    }
    for (const step of session.steps) {
      if (!(await playStep(step, w, st, rig, next))) {
        res.closedBy = lastReply.trim();
        return res;
      }
      sample();
    }
    w.write('QUIT\r\n');
    const bye = await next();
    if (bye === undefined) {
      res.closedBy = lastReply.trim();
      return res;
    }
    check(bye, 'QUIT', st);
    if (!bye.startsWith('221 ')) fail(`QUIT answered ${bye.trim()}`);
    res.closedBy = 'QUIT';
    if ((await w.reply(timeoutMs)) !== undefined) fail('a reply after 221');
    return res;
  } finally {
    w.destroy();
  }
}

type Next = () => Promise<string | undefined>;

/** Plays one step; false when the proxy has (rightly) closed the session. */
async function playStep(step: Step, w: Wire, st: State, rig: Rig, next: Next): Promise<boolean> {
  switch (step.t) {
    case 'cmd':
    case 'pipe': {
      const rendered = (step.t === 'cmd' ? [step.cmd] : step.cmds).map((c) => {
        const r = render(c, st);
        // The proxy ends needHelo when it forwards an EHLO/HELO, before the member replies.
        if ((c.verb === 'EHLO' || c.verb === 'HELO') && !refusedHere(c.verb, st)) st.needHelo = false;
        return r;
      });
      w.write(rendered.map((r) => r.line).join(''));
      for (const r of rendered) {
        const reply = await next();
        if (reply === undefined) return false;
        check(reply, r.verb, st);
      }
      return true;
    }
    case 'data': {
      const forbidden = refusedHere('DATA', st);
      w.write(forbidden ? `DATA ${MARK}\r\n` : 'DATA\r\n');
      const go = await next();
      if (go === undefined) return false;
      check(go, 'DATA', st);
      if (!go.startsWith('354')) return true;
      w.write(`${step.content}\r\n.\r\n`);
      const done = await next();
      if (done === undefined) return false;
      check(done, '.', st);
      if (!/^554 /.test(done)) return true;
      if ((await next()) !== undefined) fail('the session went on after a rejected message');
      return false;
    }
    case 'auth': {
      w.write(refusedHere('AUTH', st) ? `AUTH PLAIN ${MARK}\r\n` : 'AUTH PLAIN\r\n');
      const r = await next();
      if (r === undefined) return false;
      check(r, 'AUTH', st);
      if (!r.startsWith('334')) return true;
      w.write('dGVzdAB0ZXN0AHRlc3Q=\r\n');
      const ok = await next();
      if (ok === undefined) return false;
      check(ok, 'AUTH-CONT', st);
      return true;
    }
    case 'bdat': {
      // CHUNKING is not offered: BDAT is refused locally and its payload skipped, never relayed.
      w.write(`BDAT ${step.size}${step.last ? ' LAST' : ''}\r\n${`${MARK}\r\n`.repeat(Math.ceil(step.size / 8)).slice(0, step.size)}`);
      const r = await next();
      if (r === undefined) return false;
      check(r, undefined, st);
      return true;
    }
    case 'starttls': {
      const expectTls = !st.tls && (st.mode === 'allow' || st.mode === 'require');
      w.write(`STARTTLS\r\n${step.inject && expectTls ? `MAIL FROM:<${MARK}@inject.test>\r\nRSET ${MARK}\r\n` : ''}`);
      const r = await next();
      if (r === undefined) return false;
      check(r, undefined, st);
      if (!expectTls) {
        if (r.startsWith('220')) fail(`STARTTLS accepted in mode ${st.mode} with tls=${st.tls}`);
        return true;
      }
      if (!r.startsWith('220 ')) fail(`STARTTLS refused where it must work: ${r.trim()}`);
      await w.startTls(rig.cert.cert);
      st.tls = true;
      st.needHelo = true;
      return true;
    }
    case 'flood': {
      const forbidden = refusedHere('NOOP', st);
      w.write((forbidden ? `NOOP ${MARK}\r\n` : 'NOOP\r\n').repeat(step.n));
      for (let i = 0; i < step.n; i++) {
        const r = await next();
        if (r === undefined) return false;
        check(r, 'NOOP', st);
      }
      return true;
    }
    case 'garbage':
    case 'long': {
      const bytes = step.t === 'garbage' ? Buffer.from(step.bytes) : Buffer.alloc(step.length, 0x41);
      w.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
      const r = await next();
      if (r === undefined) return false;
      check(r, undefined, st);
      return true;
    }
  }
}

/** The member-side invariant, checked after every batch: nothing forbidden arrived. */
export function memberViolations(member: ScriptedMember, from: number): string[] {
  const bad: string[] = [];
  for (const line of member.lines.slice(from)) {
    const verb = memberVerb(line);
    if (line.includes(MARK)) bad.push(`refused line reached the member: ${JSON.stringify(line)}`);
    else if (['STARTTLS', 'XCLIENT', 'XFORWARD', 'PROXY', 'BDAT'].includes(verb)) bad.push(`${verb} reached the member: ${JSON.stringify(line)}`);
  }
  return bad;
}

/** Runs `runs` batches of up to `parallel` concurrent sessions; throws fast-check's report on a violation. */
export async function fuzz(opts: { runs: number; seed: number; parallel?: number; lenient: boolean; onBatch?: (sessions: number) => void }): Promise<{ sessions: number }> {
  const rig = await startRig();
  let sessions = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(sessionArb({ lenient: opts.lenient }), { minLength: 1, maxLength: opts.parallel ?? 6 }), async (batch) => {
        const from = rig.member.lines.length;
        await Promise.all(batch.map((s) => playSession(rig, s)));
        sessions += batch.length;
        opts.onBatch?.(sessions);
        const bad = [...memberViolations(rig.member, from), ...rig.faults.splice(0)];
        if (bad.length) fail(bad.join('\n'));
        // Keep the record small over long runs.
        if (rig.member.lines.length > 100_000) rig.member.lines.length = 0;
      }),
      { numRuns: opts.runs, seed: opts.seed, verbose: 0 },
    );
  } finally {
    await rig.stop();
  }
  return { sessions };
}
