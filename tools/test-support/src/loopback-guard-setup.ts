// Loaded by every workspace's vitest run (see vitest.shared.ts) before any test file.
import { installLoopbackGuard } from './loopback-guard.ts';

installLoopbackGuard();
