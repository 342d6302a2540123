import { hostname, userInfo } from 'node:os';

/** Who and where, for the prompt: `root@(openltm)(/Common)(tmos)# `. */
export interface PromptIdentity {
  user: string;
  host: string;
}

/** The current user and the short host name. */
export function localIdentity(): PromptIdentity {
  let user = process.env.USER || 'root';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep $USER.
  }
  return { user, host: hostname().split('.')[0] || 'openltm' };
}

/** The BIG-IP-style prompt; the 2nd group is the current folder, the last the module (`tmos.ltm`), as in tmsh. */
export function makePrompt(id: PromptIdentity, folder: string, module?: string): string {
  return `${id.user}@(${id.host})(${folder})(tmos${module ? `.${module}` : ''})# `;
}

/** Shown while braces or quotes are still open. */
export const CONTINUATION_PROMPT = '> ';
