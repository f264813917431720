/** Entry point of @agent-gateway/events; the implementation lands with its issue. */
export const PACKAGE_NAME = '@agent-gateway/events';
