/** Recorded on every run; bump when a change could alter results for the same inputs and rules. */
export const ENGINE_VERSION = '1.2.0';
