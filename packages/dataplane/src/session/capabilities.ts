/**
 * EHLO reply rewriting (smtp-starttls.md §1.5.3). The backend's capability list describes the
 * proxy-to-backend hop; the client sees what the proxy can honour on the client hop.
 */

/** Keywords never passed to clients: the backend's own STARTTLS, trust-the-proxy extensions, and
 * CHUNKING/BINARYMIME because the proxy refuses BDAT rather than framing it (decision 6). */
const ALWAYS_REMOVED = new Set(['STARTTLS', 'XCLIENT', 'XFORWARD', 'CHUNKING', 'BINARYMIME']);

export interface EhloRewrite {
  /** Add the proxy's STARTTLS keyword (plaintext client hop with TLS on offer). */
  addStarttls: boolean;
  /** Hide AUTH (require mode before TLS: AUTH would be refused anyway). */
  removeAuth: boolean;
}

/**
 * Rewrite a complete positive EHLO reply (all its lines, CRLF-terminated). Non-2yz replies are
 * the caller's business: they are relayed unchanged.
 */
export function rewriteEhlo(reply: Buffer, opts: EhloRewrite): Buffer {
  const lines = reply.toString('latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const code = lines[0].slice(0, 3);
  const texts = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).slice(4));
  const kept = [texts[0]];
  for (let i = 1; i < texts.length; i++) {
    const keyword = keywordOf(texts[i]);
    if (ALWAYS_REMOVED.has(keyword)) continue;
    // AUTH=LOGIN (the pre-RFC 4954 spelling some servers still add) has the keyword AUTH.
    if (opts.removeAuth && keyword === 'AUTH') continue;
    kept.push(texts[i]);
  }
  if (opts.addStarttls) kept.push('STARTTLS');
  let out = '';
  for (let i = 0; i < kept.length; i++) {
    out += `${code}${i === kept.length - 1 ? ' ' : '-'}${kept[i]}\r\n`;
  }
  return Buffer.from(out, 'latin1');
}

/**
 * The keyword ends at SP, HTAB or `=`, and blanks before it are skipped, as Postfix's client reads
 * it (mystrtok on " \t="): a client may read it so, so the filter must too.
 */
function keywordOf(text: string): string {
  return /^[ \t=]*([^ \t=]*)/.exec(text)![1].toUpperCase();
}
