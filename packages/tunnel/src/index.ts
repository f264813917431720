/** Entry point of @agent-gateway/tunnel; the implementation lands with its issue. */
export const PACKAGE_NAME = '@agent-gateway/tunnel';
