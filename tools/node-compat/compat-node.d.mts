export declare const COMPAT_NODE_VERSION: string;
export declare function compatNodeDir(): string;
