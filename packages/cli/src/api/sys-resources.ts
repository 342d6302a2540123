/**
 * The /mgmt/tm/sys probes REST clients make before they do anything (f5_modules read the
 * version from /mgmt/tm/sys's selfLink and the provisioned modules from /sys/provision), and
 * the upload area the certificate and key modules use (/mgmt/shared/file-transfer/uploads,
 * then `sourcePath file:/var/config/rest/downloads/NAME`, then /mgmt/tm/util/unix-rm).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json } from './object-json';
import { selfLink } from './object-json';
import { RestError } from './rest-error';
import { API_VERSION } from './rest-types';

/** Where BIG-IP keeps uploaded files; clients name it in sourcePath and unix-rm. */
export const DOWNLOADS = '/var/config/rest/downloads';

export function sysCollection(): Json {
  const sub = ['provision', 'version', 'file'];
  return {
    kind: 'tm:sys:syscollectionstate',
    selfLink: selfLink('/mgmt/tm/sys'),
    items: sub.map((s) => ({ reference: { link: selfLink(`/mgmt/tm/sys/${s}`) } })),
  };
}

export function sysVersion(): Json {
  const nested = (entries: Record<string, string>) =>
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { description: v }]));
  return {
    kind: 'tm:sys:version:versionstats',
    selfLink: selfLink('/mgmt/tm/sys/version'),
    entries: {
      'https://localhost/mgmt/tm/sys/version/0': {
        nestedStats: { entries: nested({ Build: '0.0.1', Date: '2026', Edition: 'openltm', Product: 'BIG-IP', Title: 'Main Package', Version: API_VERSION }) },
      },
    },
  };
}

export function sysProvision(): Json {
  const level = (name: string) => (name === 'ltm' ? 'nominal' : 'none');
  return {
    kind: 'tm:sys:provision:provisioncollectionstate',
    selfLink: selfLink('/mgmt/tm/sys/provision'),
    items: ['afm', 'apm', 'asm', 'avr', 'gtm', 'ltm'].map((name) => ({
      kind: 'tm:sys:provision:provisionstate', name, fullPath: name, generation: 1,
      selfLink: selfLink(`/mgmt/tm/sys/provision/${name}`), cpuRatio: 0, diskRatio: 0, level: level(name), memoryRatio: 0,
    })),
  };
}

const FILE_NAME = /^[A-Za-z0-9_.:-]+$/;

/** Uploaded files, in a private directory (0700) beside the store. */
export class Uploads {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }

  private file(name: string): string {
    if (!FILE_NAME.test(name) || name.startsWith('.')) throw new RestError(400, `Invalid upload file name "${name}".`);
    return path.join(this.dir, name);
  }

  /** One chunk (`Content-Range: start-end/size`), as f5-sdk and f5_modules send them. */
  write(name: string, range: string | undefined, body: Buffer): Json {
    const file = this.file(name);
    const m = range ? /^(\d+)-(\d+)\/(\d+)$/.exec(range.trim()) : null;
    const start = m ? Number(m[1]) : 0;
    const size = m ? Number(m[3]) : body.length;
    if (m && (Number(m[2]) - start + 1 !== body.length || Number(m[2]) >= size)) throw new RestError(400, `Content-Range ${range} does not match the ${body.length} bytes sent.`);
    if (size > 32 * 1024 * 1024) throw new RestError(413, 'Uploads are limited to 32 MB.');
    const fd = fs.openSync(file, start === 0 ? 'w' : 'r+', 0o600);
    try {
      fs.writeSync(fd, body, 0, body.length, start);
    } finally {
      fs.closeSync(fd);
    }
    return { remainingByteCount: Math.max(0, size - start - body.length), usedChunks: {}, totalByteCount: size, localFilePath: `${DOWNLOADS}/${name}`, temporaryFilePath: `${DOWNLOADS}/${name}`, generation: 0, lastUpdateMicros: Date.now() * 1000 };
  }

  /** `file:/var/config/rest/downloads/NAME` -> `file:<dir>/NAME`; any other source is refused. */
  sourcePath(value: Json): string {
    const m = typeof value === 'string' ? /^file:(?:\/\/)?(\/var\/config\/rest\/downloads\/[^/]+)$/.exec(value) : null;
    if (!m) throw new RestError(400, `sourcePath ${JSON.stringify(value)} is not allowed over the API: upload the file to /mgmt/shared/file-transfer/uploads/NAME and use file:${DOWNLOADS}/NAME.`);
    const file = this.file(path.basename(m[1]));
    if (!fs.existsSync(file)) throw new RestError(400, `sourcePath ${value}: no such uploaded file.`);
    return `file:${file}`;
  }

  /** The stored `file:<dir>/NAME` shown as the client wrote it (`file:///var/config/rest/downloads/NAME`). */
  restSourcePath(stored: Json | undefined): Json | undefined {
    if (typeof stored !== 'string' || !stored.startsWith(`file:${this.dir}/`)) return stored;
    return `file://${DOWNLOADS}/${stored.slice(`file:${this.dir}/`.length)}`;
  }

  /** `/mgmt/tm/util/unix-rm` for an uploaded file; nothing else may be removed. */
  remove(args: Json): void {
    const p = typeof args === 'string' ? args.trim() : '';
    if (!p.startsWith(`${DOWNLOADS}/`)) throw new RestError(400, `unix-rm is limited to uploaded files (${DOWNLOADS}/NAME).`);
    fs.rmSync(this.file(p.slice(DOWNLOADS.length + 1)), { force: true });
  }
}
