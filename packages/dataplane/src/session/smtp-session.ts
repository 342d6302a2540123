/**
 * One client connection: a state machine that relays SMTP to a pool member while enforcing the
 * SMTPS profile's rules. Replies leave in command order through one FIFO of slots, in which the
 * proxy's own replies take their place next to the backend's (smtp-starttls.md §1.5.10).
 *
 * Backend lifecycle at STARTTLS (decision 1): the member connection is kept when only
 * EHLO/HELO/NOOP/RSET reached it before TLS; otherwise it gets QUIT and a fresh connection is
 * opened after the handshake, its greeting swallowed (RFC 3207: no second greeting).
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { BackendConnection } from './backend-connection';
import { rewriteEhlo } from './capabilities';
import { decide, hideAuth, type CommandContext, type Decision, type ForwardKind } from './command-rules';
import { DataScanner } from './data-relay';
import { LineReader, type LineEvent } from './line-reader';
import { Replies } from './replies';
import type { Reply } from './reply-parser';
import { ReplySlots } from './reply-slots';
import { SessionBase, type SessionDeps } from './session-base';
import type { SessionConfig } from './session-config';
import { acceptClientCert, serverHandshake } from './starttls';
import { type BackendSlot, isPositive } from './states';
import type { HandshakeFacts } from '../listener/client-tls';

export type { SessionDeps };

/** Unparsed client bytes held while waiting for a reply before the socket is paused. */
const MAX_HELD_INPUT = 64 * 1024;

export class SmtpSession extends SessionBase {
  /** Line processing waits (greeting, a reply that decides what the next bytes are). */
  private held = true;
  private tls = false;
  private needHelo = false;
  private tainted = false;
  private awaitingAuthContinuation = false;
  /** A client command reached the current member connection since its greeting (or since TLS). */
  private memberUsed = false;
  /**
   * The client's EHLO/HELO, in flight as the first command to the current member: a member lost
   * before answering it is replaced and the line sent again (a greeting command holds no state).
   */
  private replay: Buffer | undefined;
  private errors = 0;
  private readonly slots: ReplySlots;
  private readonly reader: LineReader;
  /** What the command rules need from the configuration (fixed for the session). */
  private readonly rules: Omit<CommandContext, 'tls' | 'needHelo'>;
  private scanner: DataScanner | undefined;
  private running = false;
  private rerun = false;

  constructor(raw: net.Socket, config: SessionConfig, deps: SessionDeps, id: string) {
    super(raw, config, deps, id);
    this.reader = new LineReader({ maxLine: config.maxLine, maxAuthLine: config.maxAuthLine });
    this.reader.detectTls = config.tlsMode !== 'implicit';
    this.slots = new ReplySlots(config.maxInFlight);
    this.rules = { mode: config.tlsMode, tlsAvailable: config.clientTls !== undefined, allowPlaintextAuth: config.allowPlaintextAuth, maxMessageSize: config.maxMessageSize };
  }

  protected start(): void {
    const raw = this.raw;
    raw.setNoDelay(true);
    raw.on('error', (err) => this.log.debug({ err }, 'client socket error'));
    this.touch();
    // remoteAddress costs a getpeername call: only when someone reads debug logs.
    if (this.log.isLevelEnabled('debug')) this.log.debug({ remote: `${raw.remoteAddress}:${raw.remotePort}`, mode: this.config.tlsMode }, 'session start');
    if (this.config.tlsMode === 'implicit') {
      this.phase = 'handshake';
      this.handshake(false);
      return;
    }
    this.listenClient(raw);
    this.connectBackend(false);
  }

  /** Drain deadline reached or listener gone: 421 and close (silently during a handshake). */
  shutdown(): void {
    if (this.phase === 'handshake') return this.abort();
    this.close(this.r.shuttingDown);
  }

  // ---- client side ------------------------------------------------------------------------

  private listenClient(sock: net.Socket | tls.TLSSocket): void {
    this.client = sock;
    sock.on('data', this.onClientData);
    sock.on('end', this.onClientEnd);
    sock.on('error', () => this.abort());
    sock.on('drain', () => this.onClientDrain());
  }

  private readonly onClientData = this.guard((chunk: Buffer): void => {
    this.deps.stats.clientBytesIn += chunk.length;
    this.touch();
    switch (this.phase) {
      case 'starttls':
        this.discard(chunk.length);
        return;
      case 'data':
        this.feedData(chunk);
        return;
      case 'closed':
      case 'handshake':
        return;
      case 'connecting':
        return this.refuseEarlyTalker();
      default:
        this.reader.feed(chunk);
        this.run();
    }
  });

  private readonly onClientEnd = this.guard((): void => {
    this.clientEnded = true;
    if (this.phase === 'data' || this.phase === 'starttls') return this.abort();
    this.run();
  });

  // ---- the command loop -------------------------------------------------------------------

  /** Flush ready replies and handle buffered lines until something must wait. Re-entrant safe. */
  private run(): void {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    // Replies and forwarded commands of one pipelined burst leave in one write each way.
    const client = this.client;
    const backend = this.backend?.socket;
    client.cork();
    backend?.cork();
    try {
      do {
        this.rerun = false;
        this.flushReplies();
        while (!this.held && this.phase === 'command' && !this.slots.full) {
          const ev = this.reader.next();
          if (!ev) break;
          this.onLine(ev);
          this.flushReplies();
        }
      } while (this.rerun && this.phase !== 'closed');
    } finally {
      this.running = false;
      client.uncork();
      backend?.uncork();
    }
    this.updateFlow();
    if (this.clientEnded && this.phase === 'command' && this.slots.length === 0) this.close();
  }

  private onLine(ev: LineEvent): void {
    this.expectCommand();
    const continuation = this.awaitingAuthContinuation;
    this.awaitingAuthContinuation = this.reader.authContinuation = false;
    const d: Decision = decide(ev, continuation, { ...this.rules, tls: this.tls, needHelo: this.needHelo });
    if (d.do === 'reply' || d.do === 'close') for (const c of d.count ?? []) this.deps.stats[c]++;
    switch (d.do) {
      case 'forward':
        if (d.taints) this.tainted = true;
        // The client has greeted again after TLS: commands it pipelines behind this EHLO are its
        // to send (the backend enforces its own order; we must not contradict the 250 we relay).
        if (d.kind === 'ehlo' || d.kind === 'helo') this.needHelo = false;
        return this.forward(d.kind, d.bytes, d.instead);
      case 'reply':
        if (d.skip) this.reader.skip(d.skip);
        if (d.error) return this.localError(d.reply);
        return this.local(d.reply);
      case 'close':
        if (d.reason) this.log.info({ reason: d.reason }, 'protocol violation; closing');
        this.slots.push({ local: true, kind: 'other', reply: d.reply, then: 'close' });
        this.held = true;
        return;
      case 'starttls':
        return this.beginStarttls();
    }
  }

  /** Postscreen's pregreet test: a real client waits for the greeting (issue 10, item 5). */
  private refuseEarlyTalker(): void {
    this.deps.stats.earlyTalkers++;
    this.log.info({ reason: 'client sent data before the greeting' }, 'protocol violation; closing');
    this.close(Replies.earlyTalker);
  }

  private forward(kind: ForwardKind, bytes: Buffer, instead?: string): void {
    const backend = this.backend;
    if (!backend) return this.close(this.r.backendLost);
    // Before TLS in require mode only EHLO/HELO/NOOP/RSET/QUIT reach the member, and the client
    // must greet again after STARTTLS: nothing there binds the session to this member.
    if (!this.memberUsed && (kind === 'ehlo' || kind === 'helo') && this.slots.length === 0) this.replay = bytes;
    else if (this.binds()) this.memberUsed = true;
    this.slots.push({ local: false, kind, reply: undefined, instead });
    // DATA and AUTH replies decide whether the next bytes are commands; QUIT ends the session.
    if (kind === 'data' || kind === 'auth' || kind === 'auth-cancel' || kind === 'quit') this.held = true;
    this.toBackend(bytes);
  }

  private local(reply: string): void {
    this.slots.push({ local: true, kind: 'other', reply });
  }

  private localError(reply: string): void {
    if (++this.errors > this.config.maxErrors) {
      this.slots.push({ local: true, kind: 'other', reply: this.r.tooManyErrors, then: 'close' });
      this.held = true;
      return;
    }
    this.local(reply);
  }

  protected inputBacklogged(): boolean {
    return this.slots.full || (this.held && this.reader.buffered > MAX_HELD_INPUT);
  }

  protected heldInput = (): number => this.reader.buffered;
  protected owedReplies = (): number => this.slots.length;

  /** Write every reply at the head of the FIFO that is ready, acting on what it means. */
  protected flushReplies(): void {
    while (this.slots.peek()?.reply !== undefined && this.phase !== 'closed') {
      const slot = this.slots.shift()!;
      if (slot.local) {
        this.send(slot.reply);
        if (slot.then === 'close') return this.close();
        if (slot.then === 'starttls') return this.upgrade();
        continue;
      }
      this.onBackendSlot(slot, slot.reply as Reply);
    }
  }

  private onBackendSlot(slot: BackendSlot, reply: Reply): void {
    const ok = isPositive(reply.code);
    const kind = slot.kind;
    if (kind === 'swallow-greeting') {
      if (!ok) return this.close(this.r.noBackend);
    } else if (kind === 'ehlo' && ok) {
      this.send(this.clientEhlo(reply.bytes));
    } else {
      // After our `*` the client is owed the answer to its own line, not the member's.
      this.send(kind === 'auth-cancel' && slot.instead ? slot.instead : reply.bytes);
    }
    // These replies decide what the client's next bytes are: held input may be read again.
    if (kind === 'greeting' || kind === 'swallow-greeting' || kind === 'data' || kind === 'auth' || kind === 'auth-cancel') this.held = false;
    if (kind === 'greeting') this.phase = 'command';
    if ((kind === 'ehlo' || kind === 'helo') && ok) this.needHelo = false;
    if (kind === 'ehlo' || kind === 'helo') {
      // Answered: the client now knows this member's capabilities.
      this.replay = undefined;
      if (this.binds()) this.memberUsed = true;
    }
    if (kind === 'data' && reply.code === 354) this.enterData();
    if (kind === 'data-end') this.dataReplied(ok);
    if (kind === 'auth') this.awaitingAuthContinuation = this.reader.authContinuation = reply.code === 334;
    if (kind === 'quit' || reply.code === 421) this.closeAfterBackendGoodbye();
  }

  /** The member's EHLO as the client hop may see it (smtp-starttls.md §1.5.3; AUTH: issue 19). */
  private clientEhlo(bytes: Buffer): Buffer {
    const offer = !this.tls && this.config.clientTls !== undefined && (this.config.tlsMode === 'allow' || this.config.tlsMode === 'require');
    if (offer) this.deps.stats.starttlsOffered++;
    return rewriteEhlo(bytes, { addStarttls: offer, removeAuth: hideAuth({ ...this.rules, tls: this.tls }) });
  }

  // ---- DATA -------------------------------------------------------------------------------

  private enterData(): void {
    this.phase = 'data';
    this.scanner = new DataScanner(this.config.smugglingGuard);
    this.dataStarted();
    const rest = this.reader.takeRest();
    if (rest) this.feedData(rest);
  }

  private feedData(chunk: Buffer): void {
    const backend = this.backend;
    const scanner = this.scanner;
    if (!backend || !scanner) return;
    this.dataProgress(chunk.length);
    const res = scanner.push(chunk);
    if (res.forward) this.toBackend(res.forward);
    // A client that half-closed mid-message will never finish it.
    if (res.kind === 'more') return this.clientEnded ? this.abort() : undefined;
    this.scanner = undefined;
    if (res.kind === 'smuggling') {
      this.deps.stats.smugglingBlocked++;
      this.log.warn('bare LF/CR end-of-data look-alike in DATA: message rejected');
      backend.destroy();
      this.backend = undefined;
      return this.close(this.r.smuggling);
    }
    this.phase = 'command';
    this.slots.push({ local: false, kind: 'data-end', reply: undefined });
    this.awaitDataReply();
    if (res.rest) this.reader.feed(res.rest);
    this.run();
  }

  // ---- STARTTLS ---------------------------------------------------------------------------

  /** The STARTTLS line was accepted: from now on plaintext input is dropped (CVE-2011-0411). */
  private beginStarttls(): void {
    this.phase = 'starttls';
    this.held = true;
    this.discard(this.reader.clear());
    // Input may have been paused while a reply was awaited; it must flow (to the discard) again.
    if (this.raw.isPaused()) this.raw.resume();
    this.slots.push({ local: true, kind: 'other', reply: Replies.readyTls, then: 'starttls' });
  }

  private discard(n: number): void {
    if (n === 0) return;
    this.deps.stats.pipelinedDiscarded += n;
    this.log.debug({ bytes: n }, 'discarded plaintext pipelined after STARTTLS');
  }

  /** Every earlier reply and the 220 are out: hand the socket to TLS in this same tick. */
  private upgrade(): void {
    if (this.tainted && this.backend) {
      this.backend.quit();
      this.backend = undefined;
    }
    // The 220 must be on the wire, in plaintext, before TLS owns the socket.
    while (this.raw.writableCorked > 0) this.raw.uncork();
    this.raw.removeListener('data', this.onClientData);
    this.raw.removeListener('end', this.onClientEnd);
    this.phase = 'handshake';
    this.handshake(true);
  }

  private handshake(starttls: boolean): void {
    const clientTls = this.config.clientTls;
    if (!clientTls) return this.abort();
    serverHandshake(this.raw, clientTls, this.config.handshakeTimeoutMs, {
      secure: this.guard((sock: tls.TLSSocket, facts: HandshakeFacts) => {
        if (this.phase === 'closed') return;
        if (!acceptClientCert(facts, this.deps.stats, this.log)) return this.refuseClientCert(sock);
        this.tls = true;
        this.tlsFacts = {
          version: sock.getProtocol() ?? '',
          cipher: sock.getCipher()?.name ?? '',
          ...(facts.servername ? { sni: facts.servername } : {}),
          certPresented: facts.clientCert?.presented ?? false,
          resumed: facts.resumed,
          verified: facts.clientCert?.result === 'ok',
        };
        this.reader.detectTls = false;
        this.needHelo = starttls;
        this.tainted = false;
        if (starttls) this.deps.stats.starttlsUpgraded++;
        this.log.debug({ protocol: sock.getProtocol(), cipher: sock.getCipher()?.name, profile: facts.profile, servername: facts.servername, resumed: facts.resumed }, 'TLS established');
        this.touch();
        this.expectCommand();
        this.listenClient(sock);
        if (this.backend) {
          // What the member saw before TLS binds nothing: the client must greet again (RFC 3207).
          if (starttls) this.memberUsed = false;
          this.phase = 'command';
          this.held = false;
          this.run();
          return;
        }
        // Client bytes are read (and held) while the member connects and greets.
        this.phase = starttls ? 'command' : 'connecting';
        this.held = true;
        this.connectBackend(starttls);
      }),
      failed: (reason) => {
        if (this.phase === 'closed') return;
        this.deps.stats.tlsHandshakeFailures++;
        this.log.info({ reason }, 'TLS handshake failed');
        this.abort();
      },
    });
  }

  /** A client certificate refused under peer-cert-mode require: a 421 inside TLS, no member. */
  private refuseClientCert(sock: tls.TLSSocket): void {
    this.listenClient(sock);
    this.phase = 'command';
    this.close(this.r.clientCertRefused);
  }

  // ---- backend ----------------------------------------------------------------------------

  protected onBackendOpen(greeting: Reply, swallow: boolean): void {
    this.memberUsed = false;
    const replay = this.replay;
    this.slots.unshift({ local: false, kind: swallow ? 'swallow-greeting' : 'greeting', reply: greeting });
    // A replacement member: the greeting command its predecessor never answered goes to it.
    if (replay && swallow && this.slots.length === 2) this.toBackend(replay);
    else this.replay = undefined;
    this.run();
  }

  /** Whether a command reaching the member now ties the session to it (see replaceLostMember). */
  private binds(): boolean {
    return this.tls || this.config.tlsMode !== 'require';
  }

  /**
   * A member lost after its greeting but before any client command reached it (or, after
   * STARTTLS, before the client greeted again; or before TLS in require mode) holds no SMTP
   * state of the session: another member takes its place, its greeting swallowed, as after the
   * TLS handshake. So does one lost while the client's first EHLO/HELO to it awaits its answer:
   * the line is sent again to the new member, whose answer is the client's. Once a command has
   * been answered by a member (or any other reached it) the session is bound to it (the 421 of
   * onBackendLost).
   */
  protected replaceLostMember(): boolean {
    if (this.memberUsed || this.phase !== 'command') return false;
    // Nothing in flight, or only the first EHLO/HELO (sent again to the new member).
    const pending = this.slots.peek();
    if (this.slots.length > 1 || (pending && (this.replay === undefined || pending.local || pending.reply !== undefined))) return false;
    this.held = true;
    this.connectBackend(true);
    return true;
  }

  protected onBackendReply(conn: BackendConnection, reply: Reply): void {
    if (conn !== this.backend) return;
    if (this.phase === 'handshake') {
      // Nothing is owed during the handshake and no plaintext may be written: a member that
      // speaks now (a 421) is let go, and a fresh one is connected once TLS is up.
      conn.end();
      this.backend = undefined;
      return;
    }
    this.touch();
    const slot = this.slots.nextUnanswered();
    if (slot) {
      slot.reply = reply;
      return this.run();
    }
    // Unsolicited: only a 421 shutdown notice means anything to the client.
    if (reply.code === 421) {
      this.send(reply.bytes);
      return this.closeAfterBackendGoodbye();
    }
    this.log.debug({ code: reply.code }, 'unsolicited backend reply dropped');
  }
}
