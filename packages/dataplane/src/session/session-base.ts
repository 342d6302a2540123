/**
 * The plumbing under an SMTP session: its two sockets, the idle clock, the member connection's
 * lifecycle and teardown. The protocol rules live in SmtpSession, which extends this.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from 'pino';
import type { BackendSelector } from '../contracts';
import type { VirtualStats } from '../desired-state';
import { BackendConnection, type BackendOpenOptions, type BackendOpenResult } from './backend-connection';
import { proxyHeader, type ClientTlsFacts } from './proxy-header';
import { SessionDeadlines, type Expiry } from './deadlines';
import { hostReplies, type HostReplies } from './replies';
import type { Reply } from './reply-parser';
import type { SessionConfig } from './session-config';
import type { Phase } from './states';

export interface SessionDeps {
  selector: BackendSelector;
  logger: Logger;
  stats: VirtualStats;
  onClosed(session: SessionBase): void;
}

export interface SessionFootprint {
  /** Client bytes read or readable and not yet handled. */
  input: number;
  /** Bytes queued for the client and for the member. */
  output: number;
  /** Replies owed to the client. */
  owed: number;
}

export abstract class SessionBase {
  protected phase: Phase = 'connecting';
  /** The socket SMTP is spoken on: the accepted one, or the TLS socket over it. */
  protected client: net.Socket | tls.TLSSocket;
  protected backend: BackendConnection | undefined;
  protected clientEnded = false;
  /** The client's TLS once its handshake is done (for the PROXY v2 TLS TLVs). */
  protected tlsFacts: ClientTlsFacts | undefined;
  protected readonly r: HostReplies;
  protected readonly log: Logger;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly deadlines: SessionDeadlines;
  private finished = false;
  /** Flow control: the member's socket buffer is full / the client is not reading its replies. */
  private backendFull = false;
  private clientOutFull = false;

  constructor(protected readonly raw: net.Socket, readonly config: SessionConfig, protected readonly deps: SessionDeps, id: string) {
    this.client = raw;
    this.r = hostReplies(config.hostname);
    this.log = deps.logger.child({ cid: id });
    // Registered first, so that a fault anywhere later still ends in onClientClose's bookkeeping.
    raw.once('close', () => this.onClientClose());
    this.deadlines = new SessionDeadlines(config.deadlines, {
      expired: (why) => this.onDeadline(why),
      waitingOnMember: () => this.phase === 'connecting' || ((this.phase === 'command' || this.phase === 'starttls') && this.owedReplies() > 0),
      atBoundary: () => this.phase === 'command' && this.owedReplies() === 0 && this.heldInput() === 0,
    });
    this.deadlines.start();
  }

  /** Begin the session; a fault while starting ends this session only. */
  begin(): void {
    this.guard(() => this.start())();
  }

  protected abstract start(): void;

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** A member's greeting arrived on a fresh connection (`swallow`: after STARTTLS). */
  protected abstract onBackendOpen(greeting: Reply, swallow: boolean): void;
  protected abstract onBackendReply(conn: BackendConnection, reply: Reply): void;
  /** Write whatever replies are ready before the session goes away. */
  protected abstract flushReplies(): void;
  /** The session holds so much unparsed input that reading more must wait. */
  protected abstract inputBacklogged(): boolean;
  /** Unparsed client bytes held. */
  protected abstract heldInput(): number;
  /** Replies owed to the client (commands in flight). */
  protected abstract owedReplies(): number;
  /**
   * The member connection was lost: true when the session connected another one in its place
   * (possible only while the lost one held nothing of the session); false for a 421.
   */
  protected abstract replaceLostMember(): boolean;

  /** What the session holds now (fuzzer, diagnostics): every part is bounded by design. */
  footprint(): SessionFootprint {
    return {
      input: this.heldInput() + this.raw.readableLength,
      output: this.client.writableLength + (this.backend?.socket.writableLength ?? 0),
      owed: this.owedReplies(),
    };
  }

  /**
   * Read from the client only while the member takes what we forward, the client reads what we
   * answer, and held input stays small: every buffer in the session stays bounded.
   */
  protected updateFlow(): void {
    if (this.phase === 'closed' || this.phase === 'handshake') return;
    const stop = this.backendFull || this.clientOutFull || this.inputBacklogged();
    if (stop && !this.client.isPaused()) this.client.pause();
    else if (!stop && this.client.isPaused()) this.client.resume();
  }

  /** Forward to the member, noting when its buffer fills. */
  protected toBackend(data: Buffer): void {
    if (this.backend && !this.backend.write(data)) {
      this.backendFull = true;
      this.updateFlow();
    }
  }

  protected onClientDrain(): void {
    this.clientOutFull = false;
    this.backend?.resume();
    this.updateFlow();
  }

  /**
   * Run an event handler so that a fault in one session ends that session, logged, instead of
   * the process and every other virtual with it.
   */
  protected guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (err) {
        this.log.error({ err, phase: this.phase }, 'session fault; closing it');
        this.destroy();
      }
    };
  }

  protected send(data: string | Buffer): void {
    if (this.phase === 'closed' && !this.client.writable) return;
    this.deps.stats.clientBytesOut += data.length;
    // A client that does not read its replies stops both directions until it does.
    if (!this.client.write(data)) {
      this.clientOutFull = true;
      this.backend?.pause();
      this.updateFlow();
    }
  }

  protected onClientClose(): void {
    if (this.phase !== 'closed') this.abort();
    if (this.finished) return;
    this.finished = true;
    this.deps.stats.clientCurConns--;
    this.deps.onClosed(this);
  }

  // ---- the member connection --------------------------------------------------------------

  /** Connect a member; `swallow` after STARTTLS, where the client gets no second greeting. */
  protected connectBackend(swallow: boolean): void {
    BackendConnection.open({
      selector: this.deps.selector,
      pool: this.config.pool,
      connectTimeoutMs: this.config.backendConnectTimeoutMs,
      greetingTimeoutMs: this.config.backendGreetingTimeoutMs,
      logger: this.log,
      ...(this.config.memberTls ? { memberTls: this.config.memberTls } : {}),
      ...this.identityOptions(),
      ...(this.config.sourceAddress ? { sourceAddress: (m: string) => this.config.sourceAddress!(m, this.raw.localAddress) } : {}),
      ...(this.config.persistence && this.raw.remoteAddress ? { persistence: this.config.persistence(this.raw.remoteAddress) } : {}),
    }).then(
      this.guard((res: BackendOpenResult) => {
        if (!res.ok) {
          if (this.phase === 'closed') return;
          this.log.info({ pool: this.config.pool, reason: res.reason }, 'no pool member for session');
          return this.close(res.reason === 'no-answer' ? this.r.backendNoAnswer : this.r.noBackend);
        }
        if (this.phase === 'closed') return res.conn.quit();
        try {
          this.bindBackend(res.conn);
          this.onBackendOpen(res.greeting, swallow);
          res.conn.deliver();
        } catch (err) {
          // The member connection is ours now: close it with the session.
          if (this.backend !== res.conn) res.conn.destroy();
          throw err;
        }
      }),
      this.guard((err: unknown) => {
        this.log.error({ err }, 'backend open failed');
        this.close(this.r.noBackend);
      }),
    );
  }

  /** smtps `client-identity`: the PROXY header or the XCLIENT exchange for the member connection. */
  private identityOptions(): Pick<BackendOpenOptions, 'proxyHeader' | 'xclient'> {
    const v = this.config.clientIdentity;
    const r = this.raw;
    if (v === 'xclient') {
      const fallback = this.config.xclientFallback ?? 'next-member';
      return {
        xclient: {
          spec: { ehloName: this.config.hostname, clientAddress: r.remoteAddress ?? '', clientPort: r.remotePort ?? 0, timeoutMs: this.config.backendGreetingTimeoutMs },
          fallback,
          onOutcome: (o, member) => {
            const st = this.deps.stats;
            if (o.kind === 'sent') return void (st.xclientSent = (st.xclientSent ?? 0) + 1);
            st.xclientFallbacks = (st.xclientFallbacks ?? 0) + 1;
            this.log.warn({ member, reason: o.detail, fallback }, fallback === 'relay' ? 'XCLIENT not taken; relaying without the client identity' : 'XCLIENT not taken');
          },
        },
      };
    }
    if (v !== 'proxy-v1' && v !== 'proxy-v2') return {};
    return {
      proxyHeader: proxyHeader(v, {
        clientAddress: r.remoteAddress ?? '',
        clientPort: r.remotePort ?? 0,
        localAddress: r.localAddress ?? '',
        localPort: r.localPort ?? 0,
        ...(this.tlsFacts ? { tls: this.tlsFacts } : {}),
      }),
    };
  }

  private bindBackend(conn: BackendConnection): void {
    this.backend = conn;
    conn.onReply = this.guard((reply: Reply) => this.onBackendReply(conn, reply));
    conn.onLost = this.guard(() => this.onBackendLost(conn));
    conn.onDrain = this.guard(() => {
      this.backendFull = false;
      this.updateFlow();
    });
    this.log.debug({ member: conn.member }, 'backend bound');
  }

  private onBackendLost(conn: BackendConnection): void {
    if (conn !== this.backend || this.phase === 'closed') return;
    this.backend = undefined;
    // Mid-handshake no plaintext may be written; a fresh member is connected once TLS is up.
    if (this.phase === 'handshake') return;
    if (this.replaceLostMember()) {
      this.log.info({ member: conn.member }, 'backend connection lost before any command reached it; connecting another member');
      return;
    }
    this.log.warn({ member: conn.member }, 'backend connection lost');
    this.flushReplies();
    this.close(this.r.backendLost);
  }

  // ---- timers and teardown ----------------------------------------------------------------

  // Hooks for the session's progress deadlines (deadlines.ts).
  protected expectCommand(): void {
    this.deadlines.expectCommand();
  }

  protected dataStarted(): void {
    this.deadlines.dataStarted();
  }

  protected dataProgress(n: number): void {
    this.deadlines.dataProgress(n);
  }

  /** The end of DATA went to the member: its reply may take dataEndMs, and idling is no fault. */
  protected awaitDataReply(): void {
    this.deadlines.awaitDataReply();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** The member answered the end of DATA (`queued`: positively, one more message). */
  protected dataReplied(queued: boolean): void {
    if (queued) this.deps.stats.messages++;
    this.deadlines.dataReplied();
    this.touch();
  }

  private onDeadline(why: Expiry): void {
    if (this.phase === 'closed') return;
    this.deps.stats.sessionTimeouts++;
    this.log.info({ deadline: why, phase: this.phase }, 'session deadline passed; closing');
    // Mid-handshake nothing may be written; mid-DATA the member connection is dropped (end()).
    if (this.phase === 'handshake') return this.abort();
    this.close(this.r.idle);
  }

  /** Activity on either side restarts the idle clock (as BIG-IP's tcp idle timeout does). */
  protected touch(): void {
    if (this.config.idleTimeoutMs <= 0 || this.phase === 'closed' || this.deadlines.awaitingDataEnd) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.onIdle(), this.config.idleTimeoutMs);
  }

  private onIdle(): void {
    if (this.phase === 'handshake') return this.abort();
    this.log.info('idle timeout');
    this.close(this.r.idle);
  }

  /** Orderly close: optional last reply, QUIT to the member (never mid-DATA), then FIN. */
  protected close(lastReply?: string): void {
    if (this.phase === 'closed') return;
    if (lastReply) this.send(lastReply);
    this.end();
    this.client.end();
    // A peer that never reads must not keep the socket forever.
    setTimeout(() => this.raw.destroy(), 2000).unref();
  }

  /** The member ended the SMTP session itself (221, 421): no QUIT of ours follows. */
  protected closeAfterBackendGoodbye(): void {
    this.backend?.end();
    this.backend = undefined;
    this.close();
  }

  /** Last resort (a fault, a drain that outlived its deadline): drop both sides, never throw. */
  destroy(): void {
    const backend = this.backend;
    this.backend = undefined;
    this.phase = 'closed';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.deadlines.stop();
    backend?.destroy();
    this.client.destroy();
    this.raw.destroy();
  }

  /** Abrupt close: nothing more is written to the client. */
  protected abort(): void {
    if (this.phase !== 'closed') this.end();
    this.client.destroy();
    this.raw.destroy();
  }

  private end(): void {
    const inData = this.phase === 'data';
    this.phase = 'closed';
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.deadlines.stop();
    if (this.backend) {
      // Mid-DATA a QUIT would be read as content: drop the connection so the message is lost.
      if (inData) this.backend.destroy();
      else this.backend.quit();
      this.backend = undefined;
    }
  }
}
