import type { Server } from 'node:net';

export interface DemoSinkMessage {
  from: string;
  to: string[];
  /** The message as received, dot-unstuffed, lines ending in CRLF. */
  data: Buffer;
}

export interface DemoSinkOptions {
  /** Receives one line per message (default: stdout). */
  log?: (line: string) => void;
  onMessage?: (message: DemoSinkMessage) => void;
  /** Name in the greeting and EHLO reply (default `demo-sink`). */
  hostname?: string;
}

export interface RunningDemoSink {
  server: Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT: 2526;
/** A net.Server whose close() also ends open sessions. */
export function createDemoSink(options?: DemoSinkOptions): Server;
/** Listens on host (127.0.0.1) and port (2526; 0 for any) and resolves once listening. */
export function startDemoSink(options?: DemoSinkOptions & { host?: string; port?: number }): Promise<RunningDemoSink>;
