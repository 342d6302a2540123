/** Renders docs/reference.md from a loaded @openltm/model (its exports as an object). */
export function generateReference(model: unknown): string;
/** Absolute path of docs/reference.md. */
export const REFERENCE_PATH: string;
