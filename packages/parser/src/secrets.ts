/**
 * Spotting secret values (`password`, `passphrase`: the schema's `secret` properties) in a command
 * line, so that it is not kept where it could be read later, such as the shell's history file.
 */
import { OBJECT_TYPES, eachProperty } from '@openltm/model';
import { lex } from './lexer';
import { Word } from './tokens';

/** Property names that are secret in any object type. */
const SECRET_NAMES = [...new Set(OBJECT_TYPES.flatMap((def) => eachProperty(def.properties).filter((p) => p.def.secret).map((p) => p.path[p.path.length - 1])))];

/** True when the text sets a secret property (its name followed by anything, even an unterminated quote). */
export function holdsSecret(text: string): boolean {
  if (!SECRET_NAMES.some((name) => text.includes(name))) return false;
  const { tokens } = lex(text);
  return tokens.some((tok) => {
    if (tok.tokenType !== Word || !SECRET_NAMES.includes(tok.image)) return false;
    return text.slice(tok.startOffset + tok.image.length).replace(/[\s{}]/g, '') !== '';
  });
}
