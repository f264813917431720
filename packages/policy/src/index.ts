/** Entry point of @agent-gateway/policy; the implementation lands with its issue. */
export const PACKAGE_NAME = '@agent-gateway/policy';
