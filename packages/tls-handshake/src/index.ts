/** Placeholder entry; the parser lands with issue 2. */
export const PACKAGE_NAME = '@agent-gateway/tls-handshake';
