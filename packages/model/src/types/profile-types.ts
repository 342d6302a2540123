/** The profile types a virtual's `profiles` may name. */
export const PROFILE_TYPES = ['ltm profile tcp', 'ltm profile smtps', 'ltm profile client-ssl', 'ltm profile server-ssl'] as const;
