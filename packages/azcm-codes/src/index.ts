/** Entry point of @agent-gateway/azcm-codes; the implementation lands with its issue. */
export const PACKAGE_NAME = '@agent-gateway/azcm-codes';
