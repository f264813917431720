/** Node-only entry point; the implementation lands with its issue. */
export const ENTRY = 'node';
