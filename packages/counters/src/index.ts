/** Entry point of @agent-gateway/counters; the implementation lands with its issue. */
export const PACKAGE_NAME = '@agent-gateway/counters';
